package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/deprivation"
	"kansrijk/internal/httpx"
)

// maxDeprivationBody bounds an uploaded index file.
const maxDeprivationBody = deprivation.MaxUpload

// xlsxType is the media type of an XLSX workbook.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

type deprivationFigureJSON struct {
	Year     int                  `json:"year"`
	NIS      string               `json:"nis"`
	Name     string               `json:"name"`
	Relation deprivation.Relation `json:"relation"`
	Percent  float64              `json:"percent"`
	Births   *int                 `json:"births"`
	Deprived *int                 `json:"deprived"`
	Source   string               `json:"source"`
}

type deprivationSeriesJSON struct {
	NIS        string                  `json:"nis"`
	Name       string                  `json:"name"`
	Years      []int                   `json:"years"`
	Fictitious bool                    `json:"fictitious"`
	Figures    []deprivationFigureJSON `json:"figures"`
}

type deprivationYearJSON struct {
	Year           int    `json:"year"`
	Municipalities int    `json:"municipalities"`
	Replaced       int    `json:"replaced"`
	Source         string `json:"source"`
}

type deprivationImportJSON struct {
	Imported bool                  `json:"imported"`
	Values   int                   `json:"values"`
	Years    []deprivationYearJSON `json:"years"`
}

type deprivationChangeJSON struct {
	NIS  string `json:"nis"`
	Name string `json:"name"`
}

type deprivationYearChangeJSON struct {
	Year      int                     `json:"year"`
	New       bool                    `json:"new"`
	Before    int                     `json:"before"`
	After     int                     `json:"after"`
	Added     []deprivationChangeJSON `json:"added"`
	Removed   []deprivationChangeJSON `json:"removed"`
	Changed   []deprivationChangeJSON `json:"changed"`
	Unchanged int                     `json:"unchanged"`
	Source    string                  `json:"source"`
}

// deprivationPreviewJSON is the answer to a dry run: what the import
// would replace, nothing stored.
type deprivationPreviewJSON struct {
	Imported    bool                        `json:"imported"`
	DryRun      bool                        `json:"dry_run"`
	Values      int                         `json:"values"`
	Fingerprint string                      `json:"fingerprint"`
	Years       []deprivationYearChangeJSON `json:"years"`
}

func changesJSON(cs []deprivation.Change) []deprivationChangeJSON {
	out := make([]deprivationChangeJSON, len(cs))
	for i, c := range cs {
		out[i] = deprivationChangeJSON{c.NIS, c.Name}
	}
	return out
}

// deprivationProblemJSON is one row problem of a refused file; the
// message is Dutch, as the import page shows it.
type deprivationProblemJSON struct {
	Line    int    `json:"line"`
	Column  string `json:"column"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// deprivationRefusal is the 400 answer to a file with problems: the usual
// error, with the row report inside it.
type deprivationRefusal struct {
	Error struct {
		Code     string                   `json:"code"`
		Message  string                   `json:"message"`
		Field    string                   `json:"field"`
		Problems []deprivationProblemJSON `json:"problems"`
	} `json:"error"`
}

// getDeprivationIndex: the index of one municipality for every imported
// year, with its predecessors' or successor's figures around the 2025
// mergers. Public figures: every signed-in role but clinic.
func (a *API) getDeprivationIndex(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	nis := strings.TrimSpace(r.URL.Query().Get("nis"))
	if nis == "" {
		return apperr.FieldErr(apperr.Invalid, "nis", "give the municipality's NIS code: ?nis=13016")
	}
	s, err := a.Deprivation.DeprivationIndex(r.Context(), c, nis)
	if err != nil {
		return err
	}
	out := deprivationSeriesJSON{NIS: s.NIS, Name: s.Name, Years: s.Years(), Fictitious: s.Fictitious(), Figures: make([]deprivationFigureJSON, len(s.Figures))}
	if out.Years == nil {
		out.Years = []int{}
	}
	for i, f := range s.Figures {
		out.Figures[i] = deprivationFigureJSON{f.Year, f.NIS, f.Name, f.Relation, f.Percent, f.Births, f.Deprived, f.Source}
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// importDeprivationIndex takes an index file (CSV or XLSX, by
// Content-Type) as the body and stores it only when no row has a problem;
// otherwise it answers 400 with the row report and stores nothing. Every
// year in the file replaces that year's values. With dry_run=true it
// stores nothing and answers what the import would replace, year by year.
// Admins only.
func (a *API) importDeprivationIndex(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	if c.Role != account.Admin {
		return apperr.New(apperr.Forbidden, "only administrators import the deprivation index")
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var parse func(io.Reader) (deprivation.Result, error)
	switch mt {
	case "text/csv", "application/csv", "text/plain":
		parse = func(rd io.Reader) (deprivation.Result, error) { return deprivation.ParseCSV(rd, a.Municipalities) }
	case xlsxType:
		parse = func(rd io.Reader) (deprivation.Result, error) { return deprivation.ParseXLSX(rd, a.Municipalities) }
	default:
		return apperr.FieldErr(apperr.Invalid, "Content-Type", "send the file as the body with Content-Type: text/csv or %s", xlsxType)
	}
	source := r.URL.Query().Get("source")
	dryRun := false
	switch v := r.URL.Query().Get("dry_run"); v {
	case "", "false", "0":
	case "true", "1":
		dryRun = true
	default:
		return apperr.FieldErr(apperr.Invalid, "dry_run", "dry_run must be true or false, not %q", v)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxDeprivationBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return apperr.New(apperr.TooLarge, "the file is larger than %d MB", maxDeprivationBody>>20)
		}
		return err
	}
	res, err := parse(bytes.NewReader(body))
	if err != nil {
		// Not a readable workbook: the parser's reason is safe to show.
		return apperr.FieldErr(apperr.Invalid, "file", "%s", strings.TrimPrefix(err.Error(), "deprivation: "))
	}
	if !res.Accepted {
		var out deprivationRefusal
		out.Error.Code, out.Error.Field = apperr.Invalid, "file"
		out.Error.Message = fmt.Sprintf("the file has %d problem(s); nothing was imported", len(res.Problems))
		out.Error.Problems = make([]deprivationProblemJSON, len(res.Problems))
		for i, p := range res.Problems {
			out.Error.Problems[i] = deprivationProblemJSON{p.Line, p.Column, p.Code, p.Message}
		}
		httpx.WriteJSON(w, http.StatusBadRequest, out)
		return nil
	}
	if dryRun {
		p, err := a.Deprivation.PreviewDeprivation(r.Context(), c, res.Values)
		if err != nil {
			return err
		}
		out := deprivationPreviewJSON{DryRun: true, Values: p.Values, Fingerprint: p.Fingerprint(), Years: make([]deprivationYearChangeJSON, len(p.Years))}
		for i, y := range p.Years {
			out.Years[i] = deprivationYearChangeJSON{y.Year, y.New, y.Before, y.After, changesJSON(y.Added), changesJSON(y.Removed),
				changesJSON(y.Changed), y.Unchanged, y.Source}
		}
		httpx.WriteJSON(w, http.StatusOK, out)
		return nil
	}
	imp, err := a.Deprivation.ImportDeprivation(r.Context(), c, res.Values, source)
	if err != nil {
		return err
	}
	out := deprivationImportJSON{Imported: true, Values: imp.Values, Years: make([]deprivationYearJSON, len(imp.Years))}
	for i, y := range imp.Years {
		out.Years[i] = deprivationYearJSON{y.Year, y.Municipalities, y.Replaced, y.Source}
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}
