package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/page"
	"kansrijk/internal/parliament"
)

// The parliamentary answer pack (issue 13): one page, /reports/parliament, where Opgroeien's
// admins and analysts make a pack for a date with one click and find every pack made, with
// its hash, checkpoint, author, date and downloads (served by the API's routes, which take
// the session too).

// parliamentFormSpec maps the fields the pack service names to the form's inputs.
var parliamentFormSpec = formSpec{
	"as_of": {Label: "parliament.field.as_of"},
	"from":  {Label: "parliament.field.from"},
	"to":    {Label: "parliament.field.to"},
}

// showParliament is the page: the form and the list of packs.
func (ui *UI) showParliament(w http.ResponseWriter, r *http.Request, a account.Actor) {
	p := ui.page(r, "parliament.title", nil)
	ui.renderParliament(w, r, a, http.StatusOK, p)
}

func (ui *UI) renderParliament(w http.ResponseWriter, r *http.Request, a account.Actor, status int, p *Page) {
	if ui.Parliament == nil {
		ui.notFound(w, r)
		return
	}
	if !parliament.CanMake(a) {
		ui.fail(w, r, parliament.Forbidden())
		return
	}
	req, err := page.Parse(r.URL.Query(), parliament.Sorts...)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	res, err := ui.Parliament.Store.ParliamentPacks(r.Context(), a, req)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	made, _ := strconv.ParseInt(r.URL.Query().Get("made"), 10, 64)
	if p.Form == nil {
		p.Form = map[string][]string{"as_of": {ui.today().Format(time.DateOnly)}}
	}
	rows := make([]parliamentRow, len(res.Items))
	for i, pk := range res.Items {
		rows[i] = parliamentRow{Pack: pk, AsOfShown: showDate(pk.AsOf)}
	}
	p.Data = map[string]any{"Packs": rows, "Nav": listNav(r, req, len(res.Items), res.Next, res.Prev), "Made": made,
		"Kinds": parliament.Kinds}
	ui.render(w, status, "parliament", p)
}

// parliamentRow is a pack in the list, with its date as people read it.
type parliamentRow struct {
	parliament.Pack
	AsOfShown string
}

// makeParliamentPack makes a pack from the form (dates as people type them) and shows it at
// the top of the list (Post/Redirect/Get).
func (ui *UI) makeParliamentPack(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if ui.Parliament == nil {
		ui.notFound(w, r)
		return
	}
	if !parliament.CanMake(a) {
		_, err := ui.Parliament.Make(r.Context(), a, time.Time{}, time.Time{}, time.Time{}) // refused and audited
		ui.fail(w, r, err)
		return
	}
	f, problems := formDates(r.PostForm, "as_of", "from", "to")
	if strings.TrimSpace(r.PostForm.Get("as_of")) == "" {
		problems = append([]*apperr.Error{required("as_of")}, problems...)
	}
	var err error
	var pk parliament.Pack
	if len(problems) > 0 {
		err = apperr.Join(problems)
	} else {
		day := func(s string) time.Time {
			t, _ := time.Parse(time.DateOnly, s)
			return t
		}
		pk, err = ui.Parliament.Make(r.Context(), a, day(f.Get("as_of")), day(f.Get("from")), day(f.Get("to")))
	}
	if err != nil {
		if apperr.Is(err, apperr.Forbidden) {
			ui.fail(w, r, err)
			return
		}
		p := ui.page(r, "parliament.title", nil).formProblems(r, err, parliamentFormSpec)
		p.Form = r.PostForm
		ui.renderParliament(w, r, a, statusOf(err), p)
		return
	}
	http.Redirect(w, r, "/reports/parliament?made="+strconv.FormatInt(pk.ID, 10)+"#pack-"+strconv.FormatInt(pk.ID, 10), http.StatusSeeOther)
}
