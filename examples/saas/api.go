package main

import (
	"log/slog"
	"net/http"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casehttp"
)

// apiPrefix is where the HTTP API is mounted.
const apiPrefix = "/api/v1"

// newHandler returns the HTTP handler of the example: casehttp.API, every
// Desk and Config command, under /api/v1/ (its routes in
// /api/v1/openapi.yaml). Each request names its key in
// "Authorization: Bearer <key>", and the key names the tenant and the
// actor: there is no tenant in the path, so a key reaches its own tenant
// and no other.
func newHandler(kit *casekit.Kit, keys *apiKeys, log *slog.Logger) (http.Handler, error) {
	api, err := casehttp.NewAPI(casehttp.APIConfig{Kit: kit, Authenticate: keys.authenticate, Logger: log})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(apiPrefix+"/", http.StripPrefix(apiPrefix, api))
	return mux, nil
}
