//go:build wip

package api

import "net/http"

func registerWIP(mux *http.ServeMux, a *API) {
	a.handle(mux, "POST", "/api/v1/agreements", a.createAgreement)
	a.handle(mux, "GET", "/api/v1/agreements", a.listAgreements)
	a.handle(mux, "GET", "/api/v1/agreements/{id}", a.getAgreement)
	a.handle(mux, "POST", "/api/v1/agreements/{id}/events", a.addAgreementEvent)
	a.handle(mux, "POST", "/api/v1/agreements/{id}/versions", a.updateAgreementVersion)
	a.handle(mux, "POST", "/api/v1/agreements/{id}/documents", a.uploadAgreementDocument)
	a.handle(mux, "GET", "/api/v1/agreements/{id}/documents/{doc}", a.downloadAgreementDocument)
	a.handle(mux, "POST", "/api/v1/agreements/{id}/carry-over", a.carryOverAgreement)
	a.handle(mux, "GET", "/api/v1/gate", a.gate)
	a.handle(mux, "GET", "/api/v1/reports/agreements", a.agreementReport)
	a.handle(mux, "GET", "/api/v1/public/agreements", a.publicAgreements)
}
