// Package outcome measures whether the data sharing works: what became of the referrals and the
// birth notifications of a period, by month, municipality, province and team.
//
// The unit is a Cell: the counts of one month × municipality of residence × local team × OCMW,
// with no personal data in it. A referral counts in the month it was drafted (its cohort), with
// everything that later happened to it, so that within one cell sent ≤ drafted and
// reached ≤ received; a birth notification counts in the month it reached Kind en Gezin.
// Dashboards, the open statistics and the parliamentary answer pack all sum the same cells, so
// they agree; every count shown outside an organisation's own view goes through
// internal/suppress first.
package outcome

import (
	"context"
	"time"

	"kansrijk/internal/account"
)

// Query selects the cells of a period. From is the first day of the first month, To the first
// day after the last month (both in Europe/Brussels). Empty filters select everything the
// actor may see.
type Query struct {
	From, To time.Time
	NIS      string // municipality of residence (NIS code); "" all
	Team     string // local team key; "" all
	OCMW     string // OCMW organisation key; "" all
}

// Counts are the counts of one cell (or of a sum of cells). Outcomes is keyed by the outcome
// codes of internal/referral (referral.Outcomes plus "withdrawn"), Rights by the right codes of
// referral.Rights (a referral that opened two rights counts once under each).
type Counts struct {
	Drafted            int            `json:"drafted"`
	ConsentRefused     int            `json:"consent_refused"`
	Sent               int            `json:"sent"`
	NotSentNoAgreement int            `json:"not_sent_no_agreement"`
	Received           int            `json:"received"`
	ContactAttempted   int            `json:"contact_attempted"`
	Reached            int            `json:"reached"`
	NotReachable       int            `json:"not_reachable"`
	Withdrawn          int            `json:"withdrawn"`
	Deleted            int            `json:"deleted"`
	Outcomes           map[string]int `json:"outcomes"`
	Rights             map[string]int `json:"rights"`
	// Births notified by maternity clinics, and of those the ones whose family the local team
	// contacted within 14 days.
	Births            int `json:"births"`
	BirthsContacted14 int `json:"births_contacted_14"`
	// Sent referrals whose first contact attempt came within / after their agreement's target.
	WithinTarget int `json:"within_target"`
	PastTarget   int `json:"past_target"`
}

// Cell is the counts of one month × municipality × team × OCMW. DaysToFirstContact and
// DaysToOutcome hold one entry per sent referral of the cell that has one (whole days from
// sending), so that medians and percentiles of any sum of cells can be computed exactly.
type Cell struct {
	Month string `json:"month"` // "2006-01"
	NIS   string `json:"nis"`
	Team  string `json:"team"`
	OCMW  string `json:"ocmw"`
	Counts
	DaysToFirstContact []int `json:"-"`
	DaysToOutcome      []int `json:"-"`
}

// Store reads the cells a caller may see: Opgroeien's staff and analysts all of Flanders and
// Brussels, a team lead or worker its own team, an OCMW the referrals sent to it. Others get
// apperr.Forbidden.
type Store interface {
	OutcomeCells(ctx context.Context, a account.Actor, q Query) ([]Cell, error)
}
