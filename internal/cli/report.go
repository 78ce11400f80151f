package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/api"
	"kansrijk/internal/export"
	"kansrijk/internal/municipality"
	"kansrijk/internal/parliament"
	"kansrijk/internal/parliament/pack"
)

// reportAgreements answers "how many local governments had signed up on
// date D, and which?" straight from the database.
func reportAgreements(ctx context.Context, args []string, env Env) error {
	fs := flags("report agreements", env)
	dsn := dbFlag(fs, env)
	asOfS := fs.String("as-of", "", "date YYYY-MM-DD (default today)")
	knownS := fs.String("known-at", "", "only what was recorded by this date")
	region := fs.String("region", "flanders", "flanders, brussels or all")
	format := fs.String("format", "text", "text, csv or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	asOf := api.Today(time.Now())
	if *asOfS != "" {
		d, err := municipality.ParseDate(*asOfS)
		if err != nil {
			return &usageError{fmt.Sprintf("--as-of must be a date YYYY-MM-DD, got %q", *asOfS), usage}
		}
		asOf = d
	}
	var knownAt *time.Time
	if *knownS != "" {
		d, err := municipality.ParseDate(*knownS)
		if err != nil {
			return &usageError{fmt.Sprintf("--known-at must be a date YYYY-MM-DD, got %q", *knownS), usage}
		}
		knownAt = &d
	}
	if *format != "text" && *format != "csv" && *format != "json" {
		return &usageError{fmt.Sprintf("--format must be text, csv or json, got %q", *format), usage}
	}
	db, err := open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.AgreementReport(ctx, asOf, knownAt, *region)
	if err != nil {
		return err
	}
	switch *format {
	case "csv":
		return export.WriteCSV(env.Stdout, api.AgreementReportTable(rep))
	case "json":
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(env.Stdout, "On %s, %d of %d local governments (%s) had signed up; %d had a cooperation agreement in force.\n\n",
		rep.AsOf, rep.SignedUp, rep.Total, rep.Region, rep.InForce)
	var parts []string
	for _, s := range agreement.ReportStatuses {
		parts = append(parts, fmt.Sprintf("%s %d", s, rep.Counts[s]))
	}
	fmt.Fprintln(env.Stdout, strings.Join(parts, " · "))
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(env.Stdout)
	fmt.Fprintln(tw, "NIS\tMUNICIPALITY\tPROVINCE\tSTATUS\tSINCE\tTEAM")
	n := 0
	for _, m := range rep.Municipalities {
		if m.Status == agreement.None {
			continue
		}
		n++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", m.NIS, m.Name, m.Province, m.Status, m.Since, m.Team)
	}
	if n == 0 {
		fmt.Fprintln(tw, "(none)")
	}
	return tw.Flush()
}

// reportParliament makes a parliamentary answer pack for a date, stored like one made in the
// UI (its author the command line), and writes its three files to --out when given.
func reportParliament(ctx context.Context, args []string, env Env) error {
	fs := flags("report parliament", env)
	dsn := dbFlag(fs, env)
	asOfS := fs.String("as-of", "", "date YYYY-MM-DD (required)")
	fromS := fs.String("from", "", "first day of the families' period (default: the decree's month)")
	toS := fs.String("to", "", "last day of the families' period (default: --as-of)")
	out := fs.String("out", "", "directory to write the PDF, CSV and XLSX to")
	if err := parse(fs, args); err != nil {
		return err
	}
	date := func(name, s string) (time.Time, error) {
		if s == "" {
			return time.Time{}, nil
		}
		d, err := municipality.ParseDate(s)
		if err != nil {
			return d, &usageError{fmt.Sprintf("--%s must be a date YYYY-MM-DD, got %q", name, s), usage}
		}
		return d, nil
	}
	if *asOfS == "" {
		return &usageError{"--as-of is required", usage}
	}
	asOf, err := date("as-of", *asOfS)
	if err != nil {
		return err
	}
	from, err := date("from", *fromS)
	if err != nil {
		return err
	}
	to, err := date("to", *toS)
	if err != nil {
		return err
	}
	db, err := open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := &pack.Service{Store: db, Sources: pack.Sources{Agreements: db, Outreach: db, Teams: db, Outcomes: db, Municipalities: db.Municipalities},
		Today: func() time.Time { return api.Today(time.Now()) }}
	a := account.System("cli")
	a.Email = "command line"
	p, err := svc.Make(ctx, a, asOf, from, to)
	if err != nil {
		return err
	}
	if *out != "" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
		for _, k := range parliament.Kinds {
			f, err := db.ParliamentPackFile(ctx, a, p.ID, k)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(*out, f.Name()), f.Bytes, 0o644); err != nil {
				return err
			}
		}
	}
	cp := "none yet"
	if p.Checkpoint != nil {
		cp = fmt.Sprintf("tree size %d, root %s", p.Checkpoint.Size, p.Checkpoint.Root)
	}
	fmt.Fprintf(env.Stdout, "pack %d for %s made by %s at %s\nPDF SHA-256 %s\naudit log checkpoint: %s\n",
		p.ID, p.AsOf, p.CreatedBy, p.CreatedAt.UTC().Format(time.RFC3339), p.SHA256, cp)
	if *out != "" {
		for _, k := range parliament.Kinds {
			fmt.Fprintln(env.Stdout, filepath.Join(*out, parliament.FileName(p.AsOf, k)))
		}
	}
	return nil
}
