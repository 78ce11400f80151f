//go:build !wip

package api

import "net/http"

func registerWIP(mux *http.ServeMux, a *API) {}
