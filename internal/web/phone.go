package web

import (
	"html/template"

	"kansrijk/internal/phone"
)

// Phones in the UI (issue 12): stored in E.164, shown as people write
// them — {{phone .Phone}} gives 09 330 12 34 or +31 20 123 4567, and
// {{telHref .Phone}} the tel:+3293301234 link that dials it.
func init() {
	funcs["phone"] = phone.Display
	funcs["telHref"] = func(s string) template.URL { return template.URL(phone.Tel(s)) }
}
