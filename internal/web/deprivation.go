package web

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

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
	funcs["changeNames"] = changeNames
}

// changeNames lists municipalities of a preview: "Aalst (41002), Gent
// (44021)", the first 40 and then "… (+N)".
func changeNames(cs []deprivation.Change) string {
	const most = 40
	parts := make([]string, 0, min(len(cs), most)+1)
	for i, c := range cs {
		if i == most {
			parts = append(parts, fmt.Sprintf("… (+%d)", len(cs)-most))
			break
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", c.Name, c.NIS))
	}
	return strings.Join(parts, ", ")
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
	// MaxUploadMB and MaxUploadBytes are the size limit of a file.
	MaxUploadMB    int
	MaxUploadBytes int
	// Preview is what an accepted file would replace, shown for
	// confirmation; Content carries the file (base64) to the confirming
	// form, Fingerprint the state it was compared with, Source the label.
	Preview     *deprivation.Preview
	Content     string
	Fingerprint string
	Source      string
	// Stale is set when the figures changed between preview and confirmation.
	Stale bool
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
	d.MaxUploadMB, d.MaxUploadBytes = deprivation.MaxUpload>>20, deprivation.MaxUpload
	d.Municipalities = ui.Municipalities.On(ui.today(), "")
	p.Data = d
	ui.render(w, status, "deprivation", p)
}

// importDeprivation takes the uploaded file in two steps, all of it or
// nothing: first it shows what the file would replace, year by year
// (rows before and after, municipalities added, removed and changed),
// with a form that carries the file to "Bevestigen"; the confirmation
// imports it, unless the stored figures changed in between (then the
// new comparison is shown to confirm again). Nothing is kept on the
// server between the steps. Without JavaScript.
func (ui *UI) importDeprivation(w http.ResponseWriter, r *http.Request, a account.Actor, up upload) {
	p := ui.page(r, "page.deprivation.title", nil)
	p.Form = r.PostForm
	if a.Role != account.Admin {
		ui.fail(w, r, apperr.New(apperr.Forbidden, "only administrators import the deprivation index").WithKey("error.forbidden", nil))
		return
	}
	refuse := func(status int, err error, d deprivationPage) {
		p.withError(r, err)
		p.Field = "file"
		ui.renderDeprivation(w, r, a, status, p, d)
	}
	mb := deprivation.MaxUpload >> 20
	switch {
	case up.TooLarge:
		refuse(http.StatusRequestEntityTooLarge, apperr.FieldErr(apperr.TooLarge, "file", "the file is larger than %d MB", mb).
			WithKey("attendance.deprivation.error.too_large", map[string]any{"MB": mb}), deprivationPage{})
		return
	case !up.Sent:
		refuse(http.StatusBadRequest, apperr.FieldErr(apperr.Invalid, "file", "no file").WithKey("error.file_empty", nil), deprivationPage{})
		return
	}
	res, err := deprivation.ParseFile(bytes.NewReader(up.Data), ui.Municipalities)
	if err != nil {
		refuse(http.StatusBadRequest, apperr.FieldErr(apperr.Invalid, "file", "unreadable file").WithKey("error.deprivation_unreadable", nil), deprivationPage{FileName: up.Name})
		return
	}
	if !res.Accepted {
		refuse(http.StatusBadRequest, apperr.FieldErr(apperr.Invalid, "file", "the file has problems").WithKey("error.deprivation_refused", map[string]any{"N": len(res.Problems)}),
			deprivationPage{Refused: true, Problems: res.Problems, FileName: up.Name})
		return
	}
	source := r.PostForm.Get("source")
	if utf8.RuneCountInString(strings.TrimSpace(source)) > deprivation.MaxSource {
		p.withError(r, apperr.FieldErr(apperr.Invalid, "source", "the source is too long").WithKey("error.too_long", nil))
		ui.renderDeprivation(w, r, a, http.StatusBadRequest, p, deprivationPage{})
		return
	}
	preview, err := ui.Deprivation.PreviewDeprivation(r.Context(), a, res.Values)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	fp := preview.Fingerprint()
	confirmed := r.PostForm.Get("step") == "confirm"
	if !confirmed || r.PostForm.Get("fingerprint") != fp {
		if strings.TrimSpace(source) == "" {
			source = deprivation.DefaultSource
		}
		ui.renderDeprivation(w, r, a, http.StatusOK, p, deprivationPage{FileName: up.Name, Preview: &preview,
			Content: base64.StdEncoding.EncodeToString(up.Data), Fingerprint: fp, Source: strings.TrimSpace(source), Stale: confirmed})
		return
	}
	if _, err := ui.Deprivation.ImportDeprivation(r.Context(), a, res.Values, source); err != nil {
		if _, ok := apperr.As(err); !ok {
			ui.fail(w, r, err)
			return
		}
		refuse(statusOf(err), err, deprivationPage{FileName: up.Name})
		return
	}
	http.Redirect(w, r, "/outreach/deprivation?ok=deprivation_imported", http.StatusSeeOther)
}
