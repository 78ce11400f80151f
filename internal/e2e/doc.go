// Package e2e holds the browser end-to-end tests of Kansrijk. They start the
// real program (cli.Run "serve --demo" on a fresh SQLite file), drive a
// headless Chromium through internal/browsertest, take a screenshot of every
// page and check it with axe-core. The package has no code of its own.
package e2e
