// Command kansrijk-verify checks Kansrijk's access log from outside, with
// nothing but the log's public verifier key: a family's proof bundle (is
// this record really in the log?), the consistency of two checkpoints (did
// the log only grow between them?) and the signature of the latest
// checkpoint.
//
// It is deliberately small and depends only on the standard library and on
// golang.org/x/mod/sumdb/tlog and golang.org/x/mod/sumdb/note, so that an
// outsider can read all of it and build it without trusting Kansrijk's own
// code. The verifier key must come from a trusted channel (the README, the
// DPO, a printed letter), never from the bundle or the server being checked.
//
// Usage:
//
//	kansrijk-verify proof       --key VKEY BUNDLE.json
//	kansrijk-verify consistency --key VKEY OLD.note NEW.note (--url BASE | --proof FILE)
//	kansrijk-verify checkpoint  --key VKEY --url BASE
//
// Exit status 0 means everything checked out; 1 means a check failed; 2
// means the command line was wrong.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
)

const usage = `kansrijk-verify — check Kansrijk's access log with its public key

Usage:
  kansrijk-verify proof       --key VKEY BUNDLE.json
  kansrijk-verify consistency --key VKEY OLD.note NEW.note (--url BASE | --proof FILE)
  kansrijk-verify checkpoint  --key VKEY --url BASE

  proof        checks a proof bundle (what the family view downloads per line):
               the checkpoint's signature and the record's inclusion in the log.
  consistency  checks that the log of NEW.note contains the log of OLD.note
               unchanged (a consistency proof fetched from BASE, or read from
               FILE as the JSON of /api/v1/audit/proof/consistency).
  checkpoint   fetches the latest checkpoint from BASE and checks its signature.

VKEY is the log's verifier key (name+hash+key), from a trusted channel;
--key-file FILE reads it from a file instead. A .note file holds a signed
checkpoint: the note text, the JSON of /api/v1/audit/checkpoints/latest, a
witness's state file, or a proof bundle (its checkpoint).
BASE is the server's address, such as https://kansrijk.example.be.
`

// usageError is wrong use of the command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the command line and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	err := dispatch(ctx, args, stdout)
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "kansrijk-verify: %s\n\n%s", ue.msg, usage)
		return 2
	}
	fmt.Fprintf(stderr, "kansrijk-verify: FAILED: %s\n", err)
	return 1
}

func dispatch(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return &usageError{"no command given"}
	}
	switch args[0] {
	case "proof":
		return proofCmd(args[1:], stdout)
	case "consistency":
		return consistencyCmd(ctx, args[1:], stdout)
	case "checkpoint":
		return checkpointCmd(ctx, args[1:], stdout)
	case "help", "-h", "--help":
		return flag.ErrHelp
	}
	return &usageError{fmt.Sprintf("unknown command %q", args[0])}
}

// options are the flags every subcommand shares.
type options struct {
	key, keyFile, url, proof string
}

// parse parses flags anywhere among the arguments (`--key K FILE` as well
// as `FILE --key K`) and returns the other arguments.
func parse(name string, args []string, o *options) ([]string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.key, "key", "", "verifier key")
	fs.StringVar(&o.keyFile, "key-file", "", "file holding the verifier key")
	fs.StringVar(&o.url, "url", "", "base address of the server")
	fs.StringVar(&o.proof, "proof", "", "file holding a consistency proof")
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{name + ": " + err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		if args[0] == "--" {
			return append(rest, args[1:]...), nil
		}
		rest, args = append(rest, args[0]), args[1:]
	}
}

// verifierKey returns the verifier key given by --key or --key-file.
func (o *options) verifierKey(name string) (string, error) {
	switch {
	case o.key != "" && o.keyFile != "":
		return "", &usageError{name + ": give --key or --key-file, not both"}
	case o.keyFile != "":
		b, err := os.ReadFile(o.keyFile)
		if err != nil {
			return "", fmt.Errorf("read the verifier key: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	case o.key != "":
		return strings.TrimSpace(o.key), nil
	}
	return "", &usageError{name + " needs the log's verifier key (--key or --key-file)"}
}
