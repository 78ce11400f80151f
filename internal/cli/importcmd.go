package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"kansrijk/internal/account"
	"kansrijk/internal/birth"
	"kansrijk/internal/textnorm"
)

// importCmd runs `kansrijk import births FILE --clinic KEY [--db DSN]
// [--accept-partial]`: the migration of a clinic's births (a year of them,
// 65,000 rows and more) from one CSV file, read as the API reads a batch
// (the same encodings, columns, validation and row report: line, column,
// stable code, Dutch message), streamed in constant memory and staged in
// chunks (store.BirthImport), then moved in as one batch: the whole file
// or nothing. With a rejected row nothing is imported unless
// --accept-partial (then the good rows are). The same file again imports
// nothing; rows stored before count as existing.
//
// Exit codes: 0 imported (or nothing new), 1 the file or rows refused (a
// report on stdout), 2 wrong use.
func importCmd(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] != "births" {
		return &usageError{"use: kansrijk import births FILE --clinic KEY [--db DSN] [--accept-partial]", usage}
	}
	args = args[1:]
	// The file may come before the flags.
	var path string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		path, args = args[0], args[1:]
	}
	fs := flags("import births", env)
	dsn := dbFlag(fs, env)
	clinic := fs.String("clinic", "", "the maternity clinic whose births these are (its organisation key, clinic-…)")
	partial := fs.Bool("accept-partial", false, "import the good rows of a file with rejected rows (default: nothing)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{err.Error(), usage}
	}
	if path == "" && fs.NArg() > 0 {
		path = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0)), usage}
	}
	if path == "" {
		return &usageError{"import births: name the CSV file", usage}
	}
	if *clinic == "" {
		return &usageError{"import births: --clinic KEY is required (the clinic whose births these are)", usage}
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	db, err := open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	o, err := db.Organisation(ctx, *clinic)
	if err != nil {
		return err
	}
	if o.Kind != account.KindClinic {
		return fmt.Errorf("import births: %s is no maternity clinic", *clinic)
	}
	a := account.Actor{Email: account.SystemEmail, Role: account.Clinic, Org: o.Key, OrgKind: o.Kind, Via: account.ChannelCLI,
		Source: account.ProgramSource(account.SourceCLI, "import")}

	bar := func(what string) io.Writer {
		if !isTerminal(env.Stderr) {
			return io.Discard
		}
		return progressbar.NewOptions64(st.Size(), progressbar.OptionSetWriter(env.Stderr), progressbar.OptionShowBytes(true),
			progressbar.OptionSetDescription(what), progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish(),
			progressbar.OptionSetWidth(30))
	}
	// First pass: the file's digest (a file sent again imports nothing)
	// and its encoding, chosen on all of it as the API chooses it.
	sum := sha256.New()
	var sniff textnorm.Sniffer
	if _, err := io.Copy(io.MultiWriter(sum, &sniff, bar("lezen")), f); err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := db.PurgeStaleBirthImports(ctx); err != nil {
		return err
	}
	im, err := db.BeginBirthImport(ctx, a)
	if err != nil {
		return err
	}
	defer im.Abort(ctx)
	im.Long()
	r, err := birth.NewReader(io.TeeReader(f, bar("controleren")), sniff.Encoding())
	if err != nil {
		return reportFileError(env, err)
	}
	check := im.Checker()
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	header := false
	problem := func(kind string, p birth.Problem) {
		if !header {
			fmt.Fprintln(tw, "ROW\tKIND\tCOLUMN\tCODE\tMESSAGE")
			header = true
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", p.Row, kind, p.Column, p.Code, p.Message)
	}
	var rows, rejected int
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tw.Flush()
			return reportFileError(env, err)
		}
		rows++
		for _, w := range row.Warnings {
			problem("warning", w)
		}
		probs, key := check.Check(r, &row)
		if len(probs) > 0 {
			rejected++
			for _, p := range probs {
				problem("error", p)
			}
			continue
		}
		if rejected > 0 && !*partial {
			continue // nothing will be imported: only check the rest
		}
		if err := im.Add(ctx, row.Line, &row.Notification, key); err != nil {
			return err
		}
	}
	tw.Flush()
	fmt.Fprintf(env.Stdout, "file: %s, %s, separator %q, %d rows, %d rejected\n", path, r.Batch.Encoding, r.Batch.Separator, rows, rejected)
	if rejected > 0 && !*partial {
		return fmt.Errorf("import births: %d of %d rows rejected: nothing imported (fix them, or --accept-partial to import the other rows)", rejected, rows)
	}
	res, err := im.Commit(ctx, hex.EncodeToString(sum.Sum(nil)), rows, rejected, *partial, nil)
	if err != nil {
		return err
	}
	if res.AlreadyReceived {
		fmt.Fprintf(env.Stdout, "already received as batch %d: nothing new\n", res.BatchID)
		return nil
	}
	fmt.Fprintf(env.Stdout, "batch %d: %d created, %d existing, %d rejected\n", res.BatchID, res.Created, res.Existing, rejected)
	return nil
}

// reportFileError prints a problem of the whole file as a report line
// and returns it.
func reportFileError(env Env, err error) error {
	var fe *birth.FileError
	if errors.As(err, &fe) {
		fmt.Fprintf(env.Stdout, "ROW\tCOLUMN\tCODE\tMESSAGE\n%d\t%s\t%s\t%s\n", fe.Row, fe.Column, fe.Code, fe.Message)
		return fmt.Errorf("import births: %s: nothing imported", fe.English)
	}
	return err
}
