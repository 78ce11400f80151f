package underreferral

import (
	"math"

	"kansrijk/internal/deprivation"
	"kansrijk/internal/municipality"
)

// mergerYear is the first year of the municipalities formed by the 2025 mergers.
const mergerYear = 2025

// Indexes picks the deprivation index of each municipality of a report year from the values of
// one index year (the report's year, or the latest year before it that has an index).
//
// A municipality's own figure is used when the index year has it. When the index year is
// before the 2025 mergers and the report year is not, a merged municipality gets the figures
// of the municipalities that merged into it (and its own old territory, for one that kept its
// code) combined: deprived births over births when every part gives both, else the indices
// weighted by the parts' population. A municipality with a part missing gets no index.
func Indexes(reg *municipality.Registry, year int, nis []string, values []deprivation.Value) map[string]*Index {
	byNIS := make(map[string]deprivation.Value, len(values))
	for _, v := range values {
		byNIS[v.NIS] = v
	}
	out := make(map[string]*Index, len(nis))
	for _, code := range nis {
		preds := reg.Predecessors(code)
		v, own := byNIS[code]
		if len(preds) == 0 || year < mergerYear || own && v.Year >= mergerYear {
			if own {
				out[code] = &Index{Year: v.Year, Percent: v.Percent, Births: v.Births, Deprived: v.Deprived}
			}
			continue
		}
		// The parts: the predecessors and, for a municipality that kept its code, its old self.
		type part struct {
			v   deprivation.Value
			pop int
		}
		var parts []part
		complete := true
		popPreds := 0
		for _, p := range preds {
			pv, ok := byNIS[p.NIS]
			if !ok {
				complete = false
				break
			}
			parts = append(parts, part{pv, p.Population2020})
			popPreds += p.Population2020
		}
		if m, ok := reg.ByNIS(code); ok && own && complete {
			parts = append(parts, part{v, max(m.Population2020-popPreds, 0)})
		}
		if !complete || len(parts) == 0 {
			continue
		}
		idx := &Index{Year: parts[0].v.Year, Combined: true}
		counts := true
		var b, d, pop int
		var weighted float64
		for _, p := range parts {
			if p.v.Births == nil || p.v.Deprived == nil {
				counts = false
			} else {
				b += *p.v.Births
				d += *p.v.Deprived
			}
			pop += p.pop
			weighted += p.v.Percent * float64(p.pop)
		}
		switch {
		case counts && b > 0:
			idx.Percent = math.Round(1000*float64(d)/float64(b)) / 10
			idx.Births, idx.Deprived = &b, &d
		case pop > 0:
			idx.Percent = math.Round(10*weighted/float64(pop)) / 10
		default:
			continue
		}
		out[code] = idx
	}
	return out
}
