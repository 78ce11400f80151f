//go:build wip

package web

import "net/http"

func registerWIP(mux *http.ServeMux, ui *UI) {
	mux.HandleFunc("GET /agreements", ui.signedIn(ui.showAgreements))
	mux.HandleFunc("GET /agreements/new", ui.signedIn(ui.showAgreementForm))
	mux.HandleFunc("POST /agreements", ui.signedIn(ui.createAgreement))
	mux.HandleFunc("GET /agreements/{id}", ui.signedIn(ui.showAgreement))
	mux.HandleFunc("POST /agreements/{id}/events", ui.signedIn(ui.addAgreementEvent))
	mux.HandleFunc("POST /agreements/{id}/versions", ui.signedIn(ui.updateAgreementVersion))
	mux.HandleFunc("POST /agreements/{id}/documents", ui.signedIn(ui.uploadAgreementDocument))
	mux.HandleFunc("GET /agreements/{id}/documents/{doc}", ui.signedIn(ui.downloadAgreementDocument))
	mux.HandleFunc("GET /agreements/{id}/{doc}.pdf", ui.signedIn(ui.generatedDocument))
	mux.HandleFunc("POST /agreements/{id}/carry-over", ui.signedIn(ui.carryOver))
	mux.HandleFunc("GET /mergers", ui.signedIn(ui.showMergers))
	mux.HandleFunc("GET /reports/agreements", ui.signedIn(ui.showAgreementReport))
	mux.HandleFunc("GET /reports/agreements/map.svg", ui.agreementMap)
	mux.HandleFunc("GET /reports/agreements/timeline.svg", ui.agreementTimeline)
	mux.HandleFunc("GET /register", ui.showRegister)
}
