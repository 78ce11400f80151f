package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"kansrijk/internal/agreement"
	"kansrijk/internal/api"
	"kansrijk/internal/export"
	"kansrijk/internal/municipality"
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
