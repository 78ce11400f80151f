package pack

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/agreement"
	"kansrijk/internal/chart"
)

// The map of the pack is the map of the agreements report (chart.Map), drawn with the PDF's
// own vector operators: fpdf cannot draw SVG, so the municipalities' outlines are read back
// from the SVG chart.Map writes (one <path> per municipality, its fill and its path data of
// absolute moves, relative lines and closes) and filled polygon by polygon, even-odd as in
// the SVG. No raster, no external program, and the same shapes as on the web page.

// svgPath matches a municipality's path in chart.Map's output.
var svgPath = regexp.MustCompile(`<path data-nis="([0-9]+)" data-status="([a-z_]+)" fill="(#[0-9a-fA-F]{6})" d="([^"]+)"`)

// mapShape is one municipality to draw: its fill and its rings in SVG user units.
type mapShape struct {
	nis, status string
	fill        [3]int
	rings       [][][2]float64
}

// mapShapes reads the municipalities back from a chart.Map SVG.
func mapShapes(svg []byte) ([]mapShape, error) {
	var out []mapShape
	for _, m := range svgPath.FindAllSubmatch(svg, -1) {
		rings, err := parsePath(string(m[4]))
		if err != nil {
			return nil, fmt.Errorf("parliament: map path of %s: %w", m[1], err)
		}
		out = append(out, mapShape{nis: string(m[1]), status: string(m[2]), fill: hexColor(string(m[3])), rings: rings})
	}
	return out, nil
}

// parsePath reads SVG path data of the commands M, m, L, l, H, h, V, v and Z, z into closed
// rings of absolute points.
func parsePath(d string) ([][][2]float64, error) {
	var rings [][][2]float64
	var cur [][2]float64
	var x, y float64
	cmd := byte(0)
	i := 0
	num := func() (float64, error) {
		for i < len(d) && (d[i] == ' ' || d[i] == ',') {
			i++
		}
		j := i
		if j < len(d) && (d[j] == '-' || d[j] == '+') {
			j++
		}
		dot := false
		for j < len(d) && (d[j] >= '0' && d[j] <= '9' || d[j] == '.' && !dot) {
			if d[j] == '.' {
				dot = true
			}
			j++
		}
		v, err := strconv.ParseFloat(d[i:j], 64)
		if err != nil {
			return 0, fmt.Errorf("bad number at %d", i)
		}
		i = j
		return v, nil
	}
	flush := func() {
		if len(cur) >= 3 {
			rings = append(rings, cur)
		}
		cur = nil
	}
	for {
		for i < len(d) && (d[i] == ' ' || d[i] == ',') {
			i++
		}
		if i >= len(d) {
			break
		}
		if c := d[i]; strings.IndexByte("MmLlHhVvZz", c) >= 0 {
			cmd = c
			i++
			if c == 'Z' || c == 'z' {
				flush()
				continue
			}
		} else if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || cmd == 0 || cmd == 'Z' || cmd == 'z' {
			return nil, fmt.Errorf("unsupported path command %q", c)
		}
		switch cmd {
		case 'M', 'm', 'L', 'l':
			a, err := num()
			if err != nil {
				return nil, err
			}
			b, err := num()
			if err != nil {
				return nil, err
			}
			if cmd == 'm' || cmd == 'l' {
				a, b = x+a, y+b
			}
			if cmd == 'M' || cmd == 'm' {
				flush()
				// Further pairs after a move are lines.
				if cmd == 'M' {
					cmd = 'L'
				} else {
					cmd = 'l'
				}
			}
			x, y = a, b
		case 'H', 'h':
			a, err := num()
			if err != nil {
				return nil, err
			}
			if cmd == 'h' {
				a += x
			}
			x = a
		case 'V', 'v':
			b, err := num()
			if err != nil {
				return nil, err
			}
			if cmd == 'v' {
				b += y
			}
			y = b
		}
		cur = append(cur, [2]float64{x, y})
	}
	flush()
	return rings, nil
}

func hexColor(s string) [3]int {
	v, _ := strconv.ParseUint(strings.TrimPrefix(s, "#"), 16, 32)
	return [3]int{int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)}
}

// MapSVG is the map of the pack's date as chart.Map draws it for the agreements report.
func MapSVG(fg Figures) ([]byte, error) {
	areas := make([]chart.Area, len(fg.Agreements.Municipalities))
	var legend []chart.LegendItem
	for i, m := range fg.Agreements.Municipalities {
		areas[i] = chart.Area{NIS: m.NIS, Name: m.Name, Status: string(m.Status), Label: nl("agreement.status." + string(m.Status))}
	}
	for _, s := range agreement.ReportStatuses {
		legend = append(legend, chart.LegendItem{Status: string(s), Label: nl("agreement.status." + string(s)), Count: fg.Agreements.Counts[s]})
	}
	return chart.Map(fg.AsOf.Year(), areas, legend, "Aangemelde lokale besturen op "+DutchDate(fg.AsOf), "")
}

// mapFigure draws the map with its legend and credit.
func (d *doc) mapFigure(fg Figures) error {
	svg, err := MapSVG(fg)
	if err != nil {
		return err
	}
	shapes, err := mapShapes(svg)
	if err != nil {
		return err
	}
	f := d.f
	const svgW, svgH = 800.0, 326.0
	scale := d.width / svgW
	legendRows := (len(agreement.ReportStatuses) + 2) / 3
	h := svgH*scale + float64(legendRows)*4.6 + 12
	d.keep(h)
	d.subheading("Kaart: de stand van elk lokaal bestuur op " + DutchDate(fg.AsOf))
	x0, y0 := marginSide, f.GetY()
	f.SetDrawColor(255, 255, 255)
	f.SetLineWidth(0.08)
	f.SetLineJoinStyle("round")
	for _, s := range shapes {
		setFill(f, s.fill)
		for _, r := range s.rings {
			for k, p := range r {
				px, py := x0+p[0]*scale, y0+p[1]*scale
				if k == 0 {
					f.MoveTo(px, py)
				} else {
					f.LineTo(px, py)
				}
			}
			f.ClosePath()
		}
		f.DrawPath("B*")
	}
	f.SetY(y0 + svgH*scale)
	// The legend: three items to a row, each swatch with its label and count.
	colW := d.width / 3
	f.SetFont(d.family, "", 8)
	base := f.GetY()
	for i, s := range agreement.ReportStatuses {
		x := x0 + float64(i%3)*colW
		y := base + float64(i/3)*4.6
		setFill(f, hexColor(chart.StatusColors[string(s)]))
		f.SetDrawColor(89, 89, 89)
		f.SetLineWidth(0.15)
		f.Rect(x, y+0.5, 3.2, 3.2, "FD")
		setText(f, colorText)
		f.SetXY(x+4.2, y)
		f.CellFormat(colW-4.5, 4.2, fmt.Sprintf("%s (%d)", nl("agreement.status."+string(s)), fg.Agreements.Counts[s]), "", 0, "L", false, 0, "")
	}
	f.SetXY(marginSide, base+float64(legendRows)*4.6+0.8)
	period := "2019–2024"
	if fg.AsOf.Year() >= 2025 {
		period = "2025"
	}
	d.note(chart.Credit + "; toestand " + period + ". De " + strconv.Itoa(len(shapes)) + " Vlaamse gemeenten; de Brusselse gemeenten (CAW Brussel) staan niet op de kaart.")
	return nil
}

// timeline draws the number of local governments signed up and with an agreement in force at
// the end of every month since the decree, as two lines.
func (d *doc) timeline(fg Figures) {
	if len(fg.Timeline) == 0 {
		return
	}
	f := d.f
	const h = 48.0
	d.keep(h + 24)
	d.subheading("Tijdlijn: aangemeld en overeenkomst van kracht, per maand sinds het decreet")
	left := marginSide + 10
	w := d.width - 12
	top := f.GetY() + 2
	bottom := top + h
	maxV := 1
	for _, p := range fg.Timeline {
		maxV = max(maxV, p.SignedUp, p.InForce)
	}
	step := niceStep(maxV)
	top1 := int(math.Ceil(float64(maxV)/float64(step))) * step
	yOf := func(v int) float64 { return bottom - float64(v)/float64(top1)*h }
	n := len(fg.Timeline)
	xOf := func(i int) float64 {
		if n == 1 {
			return left + w/2
		}
		return left + float64(i)/float64(n-1)*w
	}
	// Grid and axis labels.
	f.SetFont(d.family, "", 7)
	setText(f, colorMuted)
	f.SetLineWidth(0.1)
	for v := 0; v <= top1; v += step {
		y := yOf(v)
		f.SetDrawColor(215, 218, 224)
		f.Line(left, y, left+w, y)
		f.SetXY(marginSide, y-1.8)
		f.CellFormat(9, 3.6, strconv.Itoa(v), "", 0, "R", false, 0, "")
	}
	for i, p := range fg.Timeline {
		if p.Day.Month() == time.January || i == 0 {
			x := xOf(i)
			f.SetDrawColor(150, 150, 150)
			f.Line(x, bottom, x, bottom+1.2)
			f.SetXY(x-8, bottom+1.4)
			f.CellFormat(16, 3.4, strconv.Itoa(p.Day.Year()), "", 0, "C", false, 0, "")
		}
	}
	line := func(color string, v func(TimelinePoint) int) {
		c := hexColor(color)
		f.SetDrawColor(c[0], c[1], c[2])
		f.SetLineWidth(0.6)
		for i := 1; i < n; i++ {
			f.Line(xOf(i-1), yOf(v(fg.Timeline[i-1])), xOf(i), yOf(v(fg.Timeline[i])))
		}
		if n == 1 {
			f.Circle(xOf(0), yOf(v(fg.Timeline[0])), 0.6, "F")
		}
	}
	line(chart.StatusColors["interested"], func(p TimelinePoint) int { return p.SignedUp })
	line(chart.StatusColors["active"], func(p TimelinePoint) int { return p.InForce })
	last := fg.Timeline[n-1]
	f.SetXY(marginSide, bottom+6)
	f.SetFont(d.family, "", 8)
	for _, it := range []struct {
		color, label string
		v            int
	}{{chart.StatusColors["interested"], "aangemeld", last.SignedUp}, {chart.StatusColors["active"], "overeenkomst van kracht", last.InForce}} {
		x := f.GetX()
		c := hexColor(it.color)
		f.SetDrawColor(c[0], c[1], c[2])
		f.SetLineWidth(0.8)
		f.Line(x, f.GetY()+2, x+6, f.GetY()+2)
		f.SetX(x + 7.5)
		setText(f, colorText)
		label := fmt.Sprintf("%s (%d op %s)", it.label, it.v, last.Day.Format("02-01-2006"))
		f.CellFormat(f.GetStringWidth(label)+6, 4, label, "", 0, "L", false, 0, "")
	}
	f.SetXY(marginSide, bottom+11)
}

// niceStep is a grid step of 1, 2 or 5 × 10ⁿ that gives at most six lines up to v.
func niceStep(v int) int {
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if s := m * p; v/s <= 5 {
				return s
			}
		}
	}
}
