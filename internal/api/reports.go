package api

import (
	"net/http"
	"time"

	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/export"
	"kansrijk/internal/httpx"
	"kansrijk/internal/municipality"
)

// writeTable answers with the table as CSV or XLSX, by the format
// parameter, in the language of the lang parameter (Localize); returns
// false when JSON was asked (the caller writes it).
func (a *API) writeTable(w http.ResponseWriter, r *http.Request, name string, t export.Table) (bool, error) {
	f := r.URL.Query().Get("format")
	switch f {
	case "", "json":
		return false, nil
	case "csv", "xlsx":
	default:
		return false, apperr.FieldErr(apperr.Invalid, "format", "format must be json, csv or xlsx, got %q", f)
	}
	lang, err := ExportLang(r)
	if err != nil {
		return false, err
	}
	names, err := orgNames(r.Context(), a.Orgs)
	if err != nil {
		return false, err
	}
	t = Localize(t, lang, names)
	if f == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		return true, export.WriteCSV(w, t)
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
	return true, export.WriteXLSX(w, t)
}

// AgreementReportTable is the report as a table (the same for CSV, XLSX
// and the page's download).
func AgreementReportTable(rep agreement.Report) export.Table {
	t := export.Table{Sheet: "Overeenkomsten " + rep.AsOf, Header: []string{"nis", "name", "province", "status", "since", "team", "agreement_id"}}
	for _, m := range rep.Municipalities {
		var since any
		if m.Since != "" {
			since, _ = municipality.ParseDate(m.Since)
		}
		var id any
		if m.AgreementID != 0 {
			id = m.AgreementID
		}
		t.Rows = append(t.Rows, []any{m.NIS, m.Name, m.Province, string(m.Status), since, m.Team, id})
	}
	return t
}

// agreementReport: who had signed up, and who had an agreement in force,
// on any date, replayed from the event history. Any signed-in user.
func (a *API) agreementReport(w http.ResponseWriter, r *http.Request) error {
	if _, err := caller(r); err != nil {
		return err
	}
	asOf, err := dateParam(r, "as_of", a.today())
	if err != nil {
		return err
	}
	var knownAt *time.Time
	if r.URL.Query().Has("known_at") {
		k, err := dateParam(r, "known_at", a.today())
		if err != nil {
			return err
		}
		knownAt = &k
	}
	rep, err := a.Agreements.AgreementReport(r.Context(), asOf, knownAt, r.URL.Query().Get("region"))
	if err != nil {
		return err
	}
	if done, err := a.writeTable(w, r, "overeenkomsten-"+rep.AsOf, AgreementReportTable(rep)); done || err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, rep)
	return nil
}

// RegisterTable is the public register as a table.
func RegisterTable(rows []agreement.RegisterRow) export.Table {
	t := export.Table{Sheet: "Register", Header: []string{"nis", "name", "province", "status", "since", "signed_up_on", "approved_on",
		"signed_on", "active_from", "ended_on", "team", "agreement_id", "version", "protocol_reference", "publication_url"}}
	for _, x := range rows {
		var id, v any
		if x.AgreementID != 0 {
			id, v = x.AgreementID, x.Version
		}
		t.Rows = append(t.Rows, []any{x.NIS, x.Name, x.Province, string(x.Status), x.Since, x.SignedUpOn, x.ApprovedOn, x.SignedOn,
			x.ActiveFrom, x.EndedOn, x.Team, id, v, x.ProtocolReference, x.PublicationURL})
	}
	return t
}

// publicAgreements is the public register: no login, no personal names.
func (a *API) publicAgreements(w http.ResponseWriter, r *http.Request) error {
	on, err := dateParam(r, "on", a.today())
	if err != nil {
		return err
	}
	rows, err := a.Agreements.PublicRegister(r.Context(), on)
	if err != nil {
		return err
	}
	if done, err := a.writeTable(w, r, "register-"+on.Format(time.DateOnly), RegisterTable(rows)); done || err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"on": on.Format(time.DateOnly), "count": len(rows), "municipalities": rows})
	return nil
}
