//go:build !wip

package web

import "net/http"

func registerWIP(mux *http.ServeMux, ui *UI) {}
