package pack

import (
	"bytes"
	"kansrijk/internal/parliament"
	"time"

	"kansrijk/internal/agreement"
	"kansrijk/internal/export"
	"kansrijk/internal/referral"
	"kansrijk/internal/suppress"
)

// Header is the header of the pack's table (CSV and XLSX): one row per figure, in the order
// of the questions.
var Header = []string{"vraag", "onderdeel", "nis", "naam", "provincie", "lokaal_team", "datum", "waarde", "toelichting"}

// Table is every figure of the pack as one table: the question it answers (1–5), what it
// counts, and the figure. Counts of families are as published: a number, "<5" or "x".
func Table(fg Figures) export.Table {
	t := export.Table{Sheet: "Parlementair antwoord " + fg.AsOf.Format("2006-01-02"), Header: Header}
	add := func(q int, part, nis, name, province, team string, on any, value any, note string) {
		t.Rows = append(t.Rows, []any{q, part, nis, name, province, team, on, value, note})
	}
	asOf := fg.AsOf
	for _, c := range fg.Campaigns {
		add(1, "campagne: "+nl("outreach.kind."+string(c.Kind)), "", c.Subject, "", "", c.On, c.Reached, "partner: "+c.Partner+"; waarde: lokale besturen bereikt")
	}
	add(1, "lokale besturen geïnformeerd", "", "Vlaanderen", "", "", asOf, fg.Informed, "minstens één keer bereikt door een campagne")
	add(1, "lokale besturen", "", "Vlaanderen", "", "", asOf, fg.Total, "")

	var tot ProvinceRow
	for _, p := range fg.Provinces {
		add(2, "gemeenten", "", p.Province, p.Province, "", asOf, p.Total, "")
		add(2, "aangemeld", "", p.Province, p.Province, "", asOf, p.SignedUp, "")
		add(2, "overeenkomst van kracht", "", p.Province, p.Province, "", asOf, p.InForce, "")
		tot.Total, tot.SignedUp, tot.InForce = tot.Total+p.Total, tot.SignedUp+p.SignedUp, tot.InForce+p.InForce
	}
	add(2, "gemeenten", "", "Vlaanderen", "", "", asOf, tot.Total, "")
	add(2, "aangemeld", "", "Vlaanderen", "", "", asOf, tot.SignedUp, "")
	add(2, "overeenkomst van kracht", "", "Vlaanderen", "", "", asOf, tot.InForce, "")
	for _, m := range fg.Agreements.Municipalities {
		if !m.Status.SignedUp() {
			continue
		}
		var since any
		if s, err := time.Parse(time.DateOnly, m.Since); err == nil {
			since = s
		}
		add(2, "aangemeld lokaal bestuur", m.NIS, m.Name, m.Province, teamName(fg, m.Team), since, nl("agreement.status."+string(m.Status)), "datum: sinds")
	}
	for _, p := range fg.Timeline {
		add(2, "tijdlijn: aangemeld", "", "Vlaanderen", "", "", p.Day, p.SignedUp, "einde van de maand")
		add(2, "tijdlijn: overeenkomst van kracht", "", "Vlaanderen", "", "", p.Day, p.InForce, "einde van de maand")
	}

	for _, s := range agreement.ReportStatuses {
		add(3, "stand van de overeenkomst: "+nl("agreement.status."+string(s)), "", "Vlaanderen", "", "", asOf, fg.Agreements.Counts[s], "")
	}

	if fam := fg.Families; fam != nil && fg.Published {
		end := fg.QTo.AddDate(0, 1, -1) // the last day of the period published
		period := "van het " + quarterName(fg.QFrom) + " tot en met het " + quarterName(fg.QTo) + "; per kwartaal beschermd en afgerond op 5"
		rows := append(append([]FamilyRow(nil), fam.Rows...), fam.Total)
		for i, r := range rows {
			name, province := r.Province, r.Province
			if i == len(rows)-1 {
				name, province = "Vlaanderen en Brussel", ""
			}
			add(4, "doorverwezen", "", name, province, "", end, published(r.Sent), period)
			add(4, "bereikt", "", name, province, "", end, published(r.Reached), period)
			add(4, "rechten geopend", "", name, province, "", end, published(r.RightsOpened), period)
		}
		for _, code := range referral.Rights {
			add(4, "geopend recht: "+nl("referral.right."+code), "", "Vlaanderen en Brussel", "", "", end, published(fam.Total.Rights[code]), period)
		}
	}

	for _, a := range fg.NotSignedUp {
		var last any
		if s, err := time.Parse(time.DateOnly, a.LastContact); err == nil {
			last = s
		}
		stage := ""
		if a.Stage != "" {
			stage = nl("outreach.stage." + string(a.Stage))
		}
		note := "datum: laatste contact"
		if a.NextDue != "" {
			note += "; eerste open taak vervalt op " + a.NextDue
		}
		add(5, "niet aangemeld: open taken", a.NIS, a.Name, a.Province, teamName(fg, a.Team), last, a.OpenTasks, "fase: "+stage+"; "+note)
	}
	return t
}

// published is a published count as a cell: the number, or "<5" / "x".
func published(c suppress.Cell) any {
	if c.Suppressed {
		return c.String()
	}
	return c.Value
}

func teamName(fg Figures, key string) string {
	if n := fg.TeamNames[key]; n != "" {
		return n
	}
	return key
}

// Files renders the figures as the pack's three files.
func Files(fg Figures) (map[string][]byte, error) {
	pdf, err := RenderPDF(fg)
	if err != nil {
		return nil, err
	}
	t := Table(fg)
	var c, x bytes.Buffer
	if err := export.WriteCSV(&c, t); err != nil {
		return nil, err
	}
	if err := export.WriteXLSX(&x, t); err != nil {
		return nil, err
	}
	return map[string][]byte{parliament.PDF: pdf, parliament.CSV: c.Bytes(), parliament.XLSX: x.Bytes()}, nil
}
