package api

import (
	"net/http"

	"golang.org/x/text/language"

	"kansrijk/internal/apperr"
	"kansrijk/internal/i18n"
)

// batchLangs are the languages of a batch's file-level messages: English
// (the API's default) and Dutch.
var batchLangs = language.NewMatcher([]language.Tag{language.English, language.Dutch})

// batchLang is Dutch when the request's Accept-Language prefers Dutch to
// English (nl, nl-BE, "fr, nl;q=0.8"), else English.
func batchLang(r *http.Request) i18n.Lang {
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return i18n.EN
	}
	if _, i, _ := batchLangs.Match(tags...); i == 1 {
		return i18n.NL
	}
	return i18n.EN
}

// localized gives a user-facing error with a catalogue key its Dutch
// message when the caller asks for Dutch; the code and field stay.
func localized(r *http.Request, err error) error {
	e, ok := apperr.As(err)
	if !ok || e.Key == "" || batchLang(r) != i18n.NL || !i18n.Has(i18n.NL, e.Key) {
		return err
	}
	nl := *e
	nl.Message = i18n.T(i18n.NL, e.Key, e.Args)
	return &nl
}
