// Package deploy holds no code: its tests check the deployment files
// (the repository's Dockerfile and .dockerignore, and kansrijk.service
// in this folder) for what docs/operations.md promises of them.
package deploy
