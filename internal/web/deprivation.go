package web

import (
	"io"
	"net/http"
	"strings"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/deprivation"
	"kansrijk/internal/i18n"
	"kansrijk/internal/municipality"
)

// The deprivation index page (/outreach/deprivation): the imported years
// with their sources, a municipality's figures, and for admins the upload
// of a new file. A file with any problem is refused as a whole and its
// row-by-row report is shown in Dutch (the parser's messages).

func init() {
	// fsPercent writes an index value with one decimal: 12,7 % in Dutch.
	funcs["fsPercent"] = func(lang i18n.Lang, x float64) string { return factsheetWriter{lang: lang}.percent(x) }
}

// deprivationPage is what the deprivation template receives.
type deprivationPage struct {
	Years     []deprivation.Year
	CanImport bool
	// Municipalities are today's, for the lookup.
	Municipalities []municipality.Municipality
	// Series is the looked-up municipality's figures, nil when none asked.
	Series *deprivation.Series
	// Refused is set when an uploaded file was refused; Problems is its
	// row report, FileName its name.
	Refused  bool
	Problems []deprivation.RowProblem
	FileName string
	// DefaultSource fills the source field.
	DefaultSource string
}

func (ui *UI) showDeprivation(w http.ResponseWriter, r *http.Request, a account.Actor) {
	p := ui.page(r, "page.deprivation.title", nil)
	status := http.StatusOK
	var series *deprivation.Series
	if nis := strings.TrimSpace(r.URL.Query().Get("nis")); nis != "" {
		s, err := ui.Deprivation.DeprivationIndex(r.Context(), a, nis)
		if err != nil {
			if _, ok := apperr.As(err); !ok || apperr.Code(err) == apperr.Forbidden {
				ui.fail(w, r, err)
				return
			}
			p.withError(r, err)
			p.Field = "nis"
			status = statusOf(err)
		} else {
			series = &s
		}
		p.Form = r.URL.Query()
	}
	ui.renderDeprivation(w, r, a, status, p, deprivationPage{Series: series})
}

func (ui *UI) renderDeprivation(w http.ResponseWriter, r *http.Request, a account.Actor, status int, p *Page, d deprivationPage) {
	years, err := ui.Deprivation.DeprivationYears(r.Context(), a)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	d.Years, d.CanImport, d.DefaultSource = years, a.Role == account.Admin, deprivation.DefaultSource
	d.Municipalities = ui.Municipalities.On(ui.today(), "")
	p.Data = d
	ui.render(w, status, "deprivation", p)
}

// importDeprivation takes the uploaded file: all of it, or nothing.
func (ui *UI) importDeprivation(w http.ResponseWriter, r *http.Request, a account.Actor) {
	p := ui.page(r, "page.deprivation.title", nil)
	p.Form = r.PostForm
	if a.Role != account.Admin {
		ui.fail(w, r, apperr.New(apperr.Forbidden, "only administrators import the deprivation index").WithKey("error.forbidden", nil))
		return
	}
	refuse := func(err error, d deprivationPage) {
		p.withError(r, err)
		p.Field = "file"
		ui.renderDeprivation(w, r, a, http.StatusBadRequest, p, d)
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		refuse(apperr.FieldErr(apperr.Invalid, "file", "no file").WithKey("error.file_empty", nil), deprivationPage{})
		return
	}
	defer file.Close()
	res, err := deprivation.ParseFile(io.LimitReader(file, deprivation.MaxFileSize+1), ui.Municipalities)
	if err != nil {
		refuse(apperr.FieldErr(apperr.Invalid, "file", "unreadable file").WithKey("error.deprivation_unreadable", nil), deprivationPage{FileName: hdr.Filename})
		return
	}
	if !res.Accepted {
		refuse(apperr.FieldErr(apperr.Invalid, "file", "the file has problems").WithKey("error.deprivation_refused", map[string]any{"N": len(res.Problems)}),
			deprivationPage{Refused: true, Problems: res.Problems, FileName: hdr.Filename})
		return
	}
	if _, err := ui.Deprivation.ImportDeprivation(r.Context(), a, res.Values, r.PostForm.Get("source")); err != nil {
		if _, ok := apperr.As(err); !ok {
			ui.fail(w, r, err)
			return
		}
		refuse(err, deprivationPage{FileName: hdr.Filename})
		return
	}
	http.Redirect(w, r, "/outreach/deprivation?ok=deprivation_imported", http.StatusSeeOther)
}
