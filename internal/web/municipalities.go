package web

import (
	"net/http"
	"sort"

	"kansrijk/internal/apperr"
	"kansrijk/internal/dates"
	"kansrijk/internal/httpx"
	"kansrijk/internal/municipality"
)

type provinceCount struct {
	Province string
	Count    int
}

// showMunicipalities lists the municipalities valid on a date. Public
// reference data: no login needed.
func (ui *UI) showMunicipalities(w http.ResponseWriter, r *http.Request) {
	on := ui.today()
	q := r.URL.Query()
	p := ui.page(r, "page.municipalities.title", nil)
	p.Form = q
	status := http.StatusOK
	if s := q.Get("on"); s != "" {
		d, _, err := dates.ParseField("on", s) // as people type it, or ISO
		if err != nil {
			p.withError(r, err)
			status = http.StatusBadRequest
		} else {
			on = d
		}
	}
	region := municipality.Region(q.Get("region"))
	if region != municipality.Brussels {
		region = municipality.Flanders
	}
	list := ui.Municipalities.On(on, region)
	var provinces []provinceCount
	for _, m := range list {
		found := false
		for i := range provinces {
			if provinces[i].Province == m.Province {
				provinces[i].Count++
				found = true
			}
		}
		if !found {
			provinces = append(provinces, provinceCount{m.Province, 1})
		}
	}
	sort.Slice(provinces, func(i, j int) bool { return provinces[i].Province < provinces[j].Province })
	p.Data = map[string]any{"On": on, "Region": string(region), "List": list, "Count": len(list), "Provinces": provinces}
	ui.render(w, status, "municipalities", p)
}

func statusOf(err error) int { return httpx.Status(apperr.Code(err)) }
