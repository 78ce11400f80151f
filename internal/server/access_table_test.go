package server_test

// The access table: for every registered route, what each role may do
// with the own side's object (team-noord, the OCMW of Hulshout 13016,
// clinic-zonnedal) and with another organisation's (team-zuid, the OCMW of
// Antwerpen 11002, clinic-maanhof); admins and analysts are Opgroeien's.
//
// Want lists "roles=own/other" items (one code stands for both; "*" is
// every role not named; "anon" the anonymous caller). Obj names the object
// the path parameters address (mxWorld.params; "….fresh", "referral.draft"
// and the like build a new one per call). Body is JSON for the API and
// form-encoded for the UI (the CSRF token is added); {seq}, {n}, {email}
// (the caller's), {worker} (team_worker/own's e-mail), {event}, {birth} and
// {receipt} are filled in per call. Public marks the routes anonymous
// callers may use; Serial the rows whose writes depend on each other (or
// that check a password: argon2id takes 64 MiB a check); NoDenyAudit and Public403 say why a row is exempt from a
// check, and comments name the known defects the row's Want records.
//
// Adding a route is adding one line; rows run in this order (writes
// use a fresh object or a body that changes nothing), sign-out last.
// TestAccessTableComplete fails for a route without a row.

var accessTable = []accessRow{
	{Route: "GET /api/v1/openapi.json", Public: true, Want: "*=200 anon=200"},
	{Route: "GET /api/v1/me", Want: "*=200 anon=401"},
	{Route: "GET /api/v1/municipalities", Public: true, Want: "*=200 anon=200"},
	{Route: "GET /api/v1/organisations", Want: "*=200 anon=401"},
	{Route: "GET /api/v1/teams", Want: "*=200 anon=401"},
	{Route: "POST /api/v1/teams", Body: `{"key": "team-matrix", "name": "Team Matrix", "municipalities": ["44021"], "valid_from": "2025-01-01"}`, Want: "admin=201 *=403 anon=401"},
	{Route: "GET /api/v1/teams/{key}", Obj: "team", Want: "*=200 anon=401"},
	{Route: "PATCH /api/v1/teams/{key}", Obj: "team", Body: `{"name": "Lokaal team Noord"}`, Want: "admin=200 *=403 anon=401"},
	{Route: "POST /api/v1/clinics", Body: `{"key": "clinic-matrix", "name": "Kraamkliniek Matrix"}`, Want: "admin=201 *=403 anon=401"},
	{Route: "PUT /api/v1/organisations/{key}/webhook", Obj: "ocmw", Body: `{"url": "https://case.ocmw.test/kansrijk"}`, Want: "admin=200 ocmw_admin=200/403 *=403 anon=401", Public403: "organisations are public (GET /api/v1/organisations, /organisations): another OCMW's admin gets 403"},
	{Route: "DELETE /api/v1/organisations/{key}/webhook", Obj: "ocmw", Want: "admin=204 ocmw_admin=204/403 *=403 anon=401", Public403: "organisations are public (GET /api/v1/organisations, /organisations): another OCMW's admin gets 403"},
	{Route: "PUT /api/v1/organisations/{key}/inbox-email", Obj: "ocmw", Body: `{"email": "sociale.dienst@ocmw.test"}`, Want: "admin=204 ocmw_admin=204/403 *=403 anon=401", Public403: "organisations are public (GET /api/v1/organisations, /organisations): another OCMW's admin gets 403"},
	{Route: "GET /api/v1/users", Want: "admin,ocmw_admin=200 *=403 anon=401"},
	// No password in the body (an administrator never chooses one: 403): the new user gets a one-time link.
	{Route: "POST /api/v1/users", Body: `{"email": "new{seq}@example.test", "name": "Nieuw", "role": "ocmw_worker", "organisation": "ocmw-13016"}`, Want: "admin=201 ocmw_admin=201/403 *=403 anon=401"},
	// Tokens only for oneself: the body names team_worker/own, so only that user gets one; an admin or
	// an OCMW admin asking for another user's token is refused (issue 10, point 1).
	{Route: "POST /api/v1/tokens", Body: `{"email": "{worker}", "label": "matrix"}`, Want: "team_worker=201/403 *=403 anon=401"},
	{Route: "GET /api/v1/tokens", Want: "*=200 anon=401"},
	{Route: "DELETE /api/v1/tokens/{id}", Obj: "token", Want: "admin=204 team_worker=204/404 *=404 anon=401"},
	// A password reset is a one-time link for a user one manages (ocmw_worker/own): the admin, the
	// OCMW's own admin; anybody else gets the 404 of a missing user.
	{Route: "POST /api/v1/users/{id}/password-reset", Obj: "user.ocmw", Body: `{}`, Want: "admin=201 ocmw_admin=201/404 *=404 anon=401"},
	// A wrong current password changes nothing (Serial: argon2id takes 64 MiB a check).
	{Route: "PUT /api/v1/me/password", Serial: true, Body: `{"current_password": "fout-wachtwoord-123", "password": "matrix-nieuw-wachtwoord-2026"}`, Want: "*=400 anon=401"},
	// Service accounts: an OCMW's admin for its own OCMW; Opgroeien's admin for Opgroeien, the teams
	// and the clinics, never for an OCMW. Another organisation's service account is a missing one.
	{Route: "POST /api/v1/service-accounts", Body: `{"name": "Koppeling {seq}", "organisation": "ocmw-13016"}`, Want: "ocmw_admin=201/403 *=403 anon=401"},
	{Route: "GET /api/v1/service-accounts", Want: "admin,ocmw_admin=200 *=403 anon=401"},
	{Route: "POST /api/v1/service-accounts/{id}/tokens", Obj: "service.ocmw", Body: `{"label": "matrix"}`, Want: "ocmw_admin=201/404 admin=404 *=403 anon=401"},
	{Route: "DELETE /api/v1/service-accounts/{id}", Obj: "service.team.fresh", Want: "admin=204 ocmw_admin=404 *=403 anon=401"},
	{Route: "POST /api/v1/agreements", Serial: true, Body: `{"team": "team-noord", "municipality_nis": "12014"}`, Want: "admin=201 team_lead=409/403 *=403 anon=401"},
	{Route: "GET /api/v1/agreements", Want: "clinic=403 *=200 anon=401"},
	{Route: "GET /api/v1/agreements/{id}", Obj: "agreement", Want: "admin,analyst=200 clinic=403 *=200/404 anon=401"},
	{Route: "POST /api/v1/agreements/{id}/events", Serial: true, Obj: "agreement", Body: `{"corrects": {event}, "effective_on": "2023-04-01", "note": "matrix"}`, Want: "admin=201 team_lead=201/404 clinic,analyst=403 *=403/404 anon=401"},
	// The agreement is active: a change is only proposed (202) until the OCMW's admin approves it.
	{Route: "POST /api/v1/agreements/{id}/versions", Serial: true, Obj: "agreement", Body: `{"retention_days": {n}}`, Want: "admin=202 team_lead=202/404 clinic,analyst=403 *=403/404 anon=401"},
	{Route: "GET /api/v1/agreements/{id}/versions/{v}", Obj: "agreement", Path: "/api/v1/agreements/{id}/versions/1", Want: "admin,analyst=200 clinic=403 *=200/404 anon=401"},
	// Only the OCMW's admin decides; version 1 is in force, not proposed: 409 for it, and the same refusals as for a proposal for everyone else.
	{Route: "POST /api/v1/agreements/{id}/versions/{v}/approve", Obj: "agreement", Path: "/api/v1/agreements/{id}/versions/1/approve", Body: `{}`, Want: "ocmw_admin=409/404 admin,analyst,clinic=403 *=403/404 anon=401"},
	{Route: "POST /api/v1/agreements/{id}/versions/{v}/reject", Obj: "agreement", Path: "/api/v1/agreements/{id}/versions/1/reject", Body: `{}`, Want: "ocmw_admin=409/404 admin,analyst,clinic=403 *=403/404 anon=401"},
	{Route: "POST /api/v1/agreements/{id}/documents", Obj: "agreement", Path: "/api/v1/agreements/{id}/documents?kind=cooperation", Body: mxPDF, CT: "application/pdf", Want: "admin=201 team_lead,ocmw_admin=201/404 clinic,analyst=403 *=403/404 anon=401"},
	{Route: "GET /api/v1/agreements/{id}/documents/{doc}", Obj: "document", Want: "admin,analyst=200 clinic=403 *=200/404 anon=401"},
	{Route: "POST /api/v1/agreements/{id}/carry-over", Obj: "agreement", Body: `{}`, Want: "admin=400 *=403 anon=401"},
	{Route: "GET /api/v1/gate", Path: "/api/v1/gate?team=team-noord&municipality=13016", Want: "*=200 anon=401"},
	{Route: "GET /api/v1/reports/agreements", Want: "*=200 anon=401"},
	{Route: "GET /api/v1/public/agreements", Public: true, Want: "*=200 anon=200"},
	{Route: "POST /api/v1/referrals", Body: mxReferral, Want: "team_lead,team_worker=201/409 *=403 anon=401"},
	{Route: "GET /api/v1/referrals", Want: "team_lead,team_worker=200 *=403 anon=401"},
	{Route: "GET /api/v1/referrals/{id}", Obj: "referral", Want: "team_lead,team_worker,ocmw_worker=200/404 *=404 anon=401"},
	{Route: "POST /api/v1/referrals/{id}/consents", Obj: "referral.draft", Body: mxConsent, Want: "team_lead,team_worker=201/404 *=404 anon=401"},
	{Route: "POST /api/v1/referrals/{id}/send", Obj: "referral.consented", Want: "team_lead,team_worker=200/404 *=404 anon=401"},
	{Route: "POST /api/v1/referrals/{id}/withdraw", Obj: "referral.sent", Want: "team_lead,team_worker=200/404 *=404 anon=401"},
	{Route: "POST /api/v1/referrals/{id}/contact-attempts", Obj: "referral.sent", Body: `{"channel": "phone", "reached": false}`, Want: "ocmw_worker=201/404 *=404 anon=401"},
	{Route: "POST /api/v1/referrals/{id}/outcome", Obj: "referral.sent", Body: `{"outcome": "declined"}`, Want: "ocmw_worker=200/404 *=404 anon=401"},
	{Route: "GET /api/v1/inbox", Want: "ocmw_worker=200 *=403 anon=401"},
	{Route: "GET /api/v1/outreach/contacts", Want: "admin,team_lead,team_worker=200 *=403 anon=401"},
	{Route: "POST /api/v1/outreach/contacts", Body: `{"municipality_nis": "13016", "function": "other", "name": "Xavier Nieuw", "email": "x@hulshout.example"}`, Want: "admin=201 team_lead,team_worker=201/403 *=403 anon=401"},
	{Route: "PATCH /api/v1/outreach/contacts/{id}", Obj: "contact.fresh", Body: `{"phone": "+32 15 22 40 11"}`, Want: "admin=200 team_lead,team_worker=200/404 *=403 anon=401"},
	{Route: "DELETE /api/v1/outreach/contacts/{id}", Obj: "contact.fresh", Want: "admin=204 team_lead,team_worker=204/404 *=403 anon=401"},
	{Route: "GET /api/v1/outreach/campaigns", Want: "admin,team_lead,team_worker=200 *=403 anon=401"},
	{Route: "POST /api/v1/outreach/campaigns", Body: `{"kind": "visit", "on": "2025-04-01", "subject": "Bezoek", "audience": "list", "municipalities": ["13016"]}`, Want: "admin=201 team_lead,team_worker=201/403 *=403 anon=401"},
	// Campaigns hold no personal data and are shared between the teams on purpose; only their creator records attendance.
	{Route: "GET /api/v1/outreach/campaigns/{id}", Obj: "campaign", Want: "admin,team_lead,team_worker=200 *=403 anon=401"},
	{Route: "POST /api/v1/outreach/campaigns/{id}/attendance", Obj: "campaign", Body: "naam;e-mail\n", CT: "text/csv", Want: "admin,team_lead,team_worker=400 *=403 anon=401"},
	{Route: "GET /api/v1/outreach/contact-moments", Want: "admin,team_lead,team_worker=200 *=403 anon=401"},
	{Route: "POST /api/v1/outreach/contact-moments", Body: `{"municipality_nis": "13016", "channel": "phone", "summary": "Gebeld"}`, Want: "admin=201 team_lead,team_worker=201/403 *=403 anon=401"},
	{Route: "GET /api/v1/outreach/tasks", Want: "admin,team_lead,team_worker=200 *=403 anon=401"},
	{Route: "POST /api/v1/outreach/tasks", Body: `{"municipality_nis": "13016", "title": "Bel terug", "due_on": "2025-07-01"}`, Want: "admin=201 team_lead,team_worker=201/400 *=403 anon=401"},
	{Route: "PATCH /api/v1/outreach/tasks/{id}", Obj: "task.fresh", Body: `{"status": "done"}`, Want: "admin=200 team_lead,team_worker=200/404 *=403 anon=401"},
	{Route: "GET /api/v1/reports/outreach", Want: "ocmw_worker,ocmw_admin,clinic,dpo=403 *=200 anon=401"},
	{Route: "GET /api/v1/outreach/targets", Want: "ocmw_worker,ocmw_admin,clinic,dpo=403 *=200 anon=401"},
	{Route: "GET /api/v1/reports/missed-referrals", Want: "ocmw_worker,ocmw_admin,clinic,dpo=403 *=200 anon=401"},
	{Route: "GET /api/v1/reports/outreach/series", Want: "ocmw_worker,ocmw_admin,clinic,dpo=403 *=200 anon=401"},
	{Route: "GET /api/v1/outreach/mailings/templates", Want: "admin,team_lead=200 *=403 anon=401"},
	{Route: "POST /api/v1/outreach/mailings/preview", Body: `{"municipalities": ["13016"], "functions": ["general_director"], "template": "uitnodiging"}`, Want: "admin=200 team_lead=200/403 *=403 anon=401"},
	{Route: "POST /api/v1/outreach/mailings/test", Body: `{"municipalities": ["13016"], "functions": ["general_director"], "template": "uitnodiging"}`, Want: "admin,team_lead=400 *=403 anon=401"},
	{Route: "POST /api/v1/outreach/mailings", Body: `{"municipalities": ["13016"], "functions": ["general_director"], "template": "uitnodiging"}`, Want: "admin,team_lead=400 *=403 anon=401"},
	{Route: "GET /api/v1/outreach/mailings", Want: "admin,team_lead=200 *=403 anon=401"},
	{Route: "POST /api/v1/birth-notifications", Body: mxBirth, Want: "clinic=201 *=403 anon=401"},
	{Route: "GET /api/v1/birth-notifications", Want: "ocmw_worker,ocmw_admin,dpo,analyst=403 *=200 anon=401"},
	{Route: "POST /api/v1/birth-notifications/batches", Body: mxBirthCSV, CT: "text/csv", Want: "clinic=201 *=403 anon=401"},
	{Route: "GET /api/v1/birth-notifications/{id}", Obj: "birth", Want: "admin=200 team_lead,team_worker,clinic=200/404 *=404 anon=401"},
	{Route: "POST /api/v1/birth-notifications/{id}/contacts", Obj: "birth.fresh", Body: `{"channel": "phone", "reached": false}`, Want: "admin=403 team_lead,team_worker=201/404 *=404 anon=401"},
	{Route: "POST /api/v1/birth-notifications/{id}/merge", Serial: true, Obj: "birth.fresh", Body: `{"into": {birth}}`, Want: "admin=403 team_lead=200/404 team_worker=403/404 *=404 anon=401"},
	{Route: "POST /api/v1/birth-notifications/{id}/referral", Obj: "birth.fresh", Body: `{}`, Want: "admin=403 team_lead,team_worker=201/404 *=404 anon=401"},
	{Route: "GET /api/v1/reports/birth-notifications", Want: "admin,analyst=200 *=403 anon=401"},
	{Route: "POST /api/v1/deprivation-index", Body: mxDeprivationCSV, CT: "text/csv", Want: "admin=400 *=403 anon=401"},
	{Route: "GET /api/v1/deprivation-index", Path: "/api/v1/deprivation-index?nis=13016", Want: "clinic=403 *=200 anon=401"},
	{Route: "/api/v1/", Path: "/api/v1/bestaat-niet", Want: "*=404 anon=404"},
	{Route: "GET /static/", Public: true, Path: "/static/style.css", Want: "*=200 anon=200"},
	{Route: "GET /lang/{lang}", Public: true, Obj: "lang", Want: "*=303 anon=303"},
	{Route: "GET /login", Public: true, Want: "*=303 anon=200"},
	{Route: "POST /login", Public: true, Body: `email=nobody{seq}%40example.test&password=fout-wachtwoord-123`, Want: "*=401 anon=401"},
	{Route: "GET /{$}", Path: "/", Want: "*=200 anon=303"},
	{Route: "GET /municipalities", Public: true, Want: "*=200 anon=200"},
	{Route: "GET /organisations", Want: "*=200 anon=303"},
	{Route: "GET /teams/new", Want: "admin=200 *=403 anon=303"},
	{Route: "POST /teams", Body: `slug=matrixui&name=Team+MatrixUI&valid_from=2025-01-01&municipality=44021`, Want: "admin=409 *=403 anon=401"},
	{Route: "GET /teams/{key}", Obj: "team", Want: "*=200 anon=303"},
	{Route: "GET /teams/{key}/edit", Obj: "team", Want: "admin=200 *=403 anon=303"},
	{Route: "POST /teams/{key}", Obj: "team", Body: `name=Lokaal+team+Noord&valid_from=2022-01-01&municipality=13016&municipality=12014&municipality=13013`, Want: "admin=303 *=403 anon=401"},
	{Route: "GET /clinics/new", Want: "admin=200 *=403 anon=303"},
	{Route: "POST /clinics", Want: "admin=400 *=403 anon=401"},
	{Route: "GET /users", Want: "admin,ocmw_admin=200 *=403 anon=303"},
	{Route: "GET /users/new", Want: "admin,ocmw_admin=200 *=403 anon=303"},
	// The form has no password any more: the page shows the new user's one-time link once.
	{Route: "POST /users", Body: `email=ui{seq}%40example.test&name=Nieuw&role=ocmw_worker&org=ocmw-13016`, Want: "admin=201 ocmw_admin=201/403 *=403 anon=401"},
	{Route: "POST /users/{id}/active", Obj: "user", Body: `active=true`, Want: "admin=303 *=404 anon=401"},
	{Route: "POST /users/{id}/password-reset", Obj: "user.ocmw", Want: "admin=200 ocmw_admin=200/404 *=404 anon=401"},
	// The one-time link and "forgot password" need no session; an unknown link gets the one answer for
	// every invalid link, an unknown address the answer for every address (Serial: argon2id).
	{Route: "GET /wachtwoord/{secret}", Public: true, Path: "/wachtwoord/krp_matrixbestaatniet", Want: "*=200 anon=200"},
	{Route: "POST /wachtwoord/{secret}", Public: true, Serial: true, Path: "/wachtwoord/krp_matrixbestaatniet", Body: `password=matrix-nieuw-wachtwoord-2026&password_repeat=matrix-nieuw-wachtwoord-2026`, Want: "*=400 anon=400"},
	{Route: "GET /wachtwoord-vergeten", Public: true, Want: "*=200 anon=200"},
	{Route: "POST /wachtwoord-vergeten", Public: true, Body: `email=nobody{seq}%40example.test`, Want: "*=200 anon=200"},
	{Route: "GET /account/password", Want: "*=200 anon=303"},
	{Route: "POST /account/password", Serial: true, Body: `current_password=fout-wachtwoord-123&password=matrix-nieuw-wachtwoord-2026&password_repeat=matrix-nieuw-wachtwoord-2026`, Want: "*=400 anon=401"},
	{Route: "GET /service-accounts", Want: "admin,ocmw_admin=200 *=403 anon=303"},
	// Here for a team: Opgroeien's admin creates it, nobody else (an OCMW's admin only for its own OCMW).
	{Route: "POST /service-accounts", Body: `name=Koppeling+{seq}&org=team-noord`, Want: "admin=201 *=403 anon=401"},
	{Route: "POST /service-accounts/{id}/revoke", Obj: "service.ocmw.fresh", Want: "ocmw_admin=303/404 admin=404 *=403 anon=401"},
	{Route: "GET /referrals", Want: "team_lead,team_worker=200 *=403 anon=303"},
	{Route: "GET /referrals/new", Want: "team_lead,team_worker=200 *=403 anon=303"},
	{Route: "POST /referrals", Want: "team_lead,team_worker=400 *=403 anon=401"},
	{Route: "GET /referrals/{id}", Obj: "referral", Want: "team_lead,team_worker=200/404 *=404 anon=303"},
	{Route: "POST /referrals/{id}/consents", Obj: "referral.draft", Want: "team_lead,team_worker=400/404 *=404 anon=401"},
	{Route: "POST /referrals/{id}/send", Obj: "referral.consented", Want: "team_lead,team_worker=303/404 *=404 anon=401"},
	{Route: "POST /referrals/{id}/withdraw", Obj: "referral.sent", Want: "team_lead,team_worker=400/404 *=404 anon=401"},
	{Route: "GET /referrals/{id}/receipt", Obj: "referral", Want: "team_lead,team_worker=200/404 *=404 anon=303"},
	{Route: "GET /referrals/{id}/receipt.pdf", Obj: "referral", Want: "team_lead,team_worker=200/404 *=404 anon=303"},
	{Route: "GET /ontvangstbewijs", Public: true, Want: "*=200 anon=200"},
	{Route: "POST /ontvangstbewijs", Public: true, Body: `code={receipt}`, Want: "*=200 anon=200"},
	{Route: "GET /inbox", Want: "ocmw_worker=200 *=403 anon=303"},
	{Route: "GET /inbox/{id}", Obj: "referral", Want: "ocmw_worker=200/404 *=404 anon=303"},
	{Route: "POST /inbox/{id}/contact-attempts", Obj: "referral.sent", Body: `channel=phone`, Want: "ocmw_worker=400/404 *=404 anon=401"},
	{Route: "POST /inbox/{id}/outcome", Obj: "referral.sent", Body: `outcome=declined`, Want: "ocmw_worker=303/404 *=404 anon=401"},
	{Route: "GET /agreements", Want: "clinic=403 *=200 anon=303"},
	{Route: "GET /agreements/new", Want: "*=200 anon=303"},
	{Route: "POST /agreements", Serial: true, Want: "*=400 anon=401"},
	{Route: "GET /agreements/{id}", Obj: "agreement", Want: "admin,analyst=200 clinic=403 *=200/404 anon=303"},
	{Route: "POST /agreements/{id}/events", Serial: true, Obj: "agreement", Body: `corrects={event}&effective_on=2023-04-01&note=matrix`, Want: "admin=303 team_lead=303/404 clinic,analyst=403 *=403/404 anon=401"},
	// The agreement is active: a change is only proposed (303 to the proposal) until the OCMW's admin approves it.
	{Route: "POST /agreements/{id}/versions", Serial: true, Obj: "agreement", Body: `retention_days={n}&first_contact_days=10&information_text=Wij+geven+uw+gegevens+door+aan+het+OCMW.`, Want: "admin=303 team_lead=303/404 clinic,analyst=403 *=403/404 anon=401"},
	{Route: "POST /agreements/{id}/versions/{v}/approve", Obj: "agreement", Path: "/agreements/{id}/versions/1/approve", Body: `confirm=on`, Want: "ocmw_admin=409/404 admin,analyst,clinic=403 *=403/404 anon=401"},
	{Route: "POST /agreements/{id}/versions/{v}/reject", Obj: "agreement", Path: "/agreements/{id}/versions/1/reject", Body: `confirm=on`, Want: "ocmw_admin=409/404 admin,analyst,clinic=403 *=403/404 anon=401"},
	{Route: "POST /agreements/{id}/documents", Obj: "agreement", Body: "multipart:document", Want: "admin=303 team_lead,ocmw_admin=303/404 clinic,analyst=403 *=403/404 anon=401"},
	{Route: "GET /agreements/{id}/documents/{doc}", Obj: "document", Want: "admin,analyst=200 clinic=403 *=200/404 anon=303"},
	{Route: "GET /agreements/{id}/pdf/{doc}", Obj: "generated", Want: "admin,analyst=200 clinic=403 *=200/404 anon=303"},
	{Route: "POST /agreements/{id}/carry-over", Obj: "agreement", Want: "admin=400 clinic,analyst=403 *=403/404 anon=401"},
	{Route: "GET /mergers", Want: "clinic=403 *=200 anon=303"},
	{Route: "GET /reports/agreements", Want: "*=200 anon=303"},
	{Route: "GET /reports/agreements/map.svg", Public: true, Want: "*=200 anon=200"},
	{Route: "GET /reports/agreements/timeline.svg", Public: true, Want: "*=200 anon=200"},
	{Route: "GET /register", Public: true, Want: "*=200 anon=200"},
	{Route: "GET /reports/outreach", Want: "ocmw_worker,ocmw_admin,clinic,dpo=403 *=200 anon=303"},
	{Route: "GET /reports/outreach/stages.svg", Want: "ocmw_worker,ocmw_admin,clinic,dpo=403 *=200 anon=303"},
	{Route: "GET /reports/outreach/funnel.svg", Want: "ocmw_worker,ocmw_admin,clinic,dpo=403 *=200 anon=303"},
	{Route: "GET /outreach/mailing", Want: "admin,team_lead=200 *=403 anon=303"},
	{Route: "POST /outreach/mailing", Want: "admin,team_lead=400 *=403 anon=401"},
	{Route: "GET /outreach/deprivation", Want: "clinic=403 *=200 anon=303"},
	{Route: "POST /outreach/deprivation", Want: "admin=400 *=403 anon=401"},
	{Route: "GET /outreach/municipalities/{nis}/factsheet", Obj: "nis", Want: "ocmw_worker,ocmw_admin,clinic,dpo=403 *=200 anon=303", Public403: "municipalities are public reference data: a team outside its area gets 403"},
	{Route: "GET /outreach/municipalities/{nis}/factsheet.pdf", Obj: "nis", Want: "ocmw_worker,ocmw_admin,clinic,dpo=403 *=200 anon=303", Public403: "municipalities are public reference data: a team outside its area gets 403"},
	{Route: "GET /births", Want: "ocmw_worker,ocmw_admin,dpo,analyst=403 *=200 anon=303"},
	{Route: "GET /births/new", Want: "clinic=200 *=403 anon=303"},
	{Route: "POST /births", Want: "clinic=400 *=403 anon=401"},
	{Route: "GET /births/upload", Want: "clinic=200 *=403 anon=303"},
	{Route: "POST /births/upload", Want: "clinic=400 *=403 anon=401"},
	{Route: "GET /births/template.csv", Want: "clinic=200 *=403 anon=303"},
	{Route: "GET /births/{id}", Obj: "birth", Want: "admin=200 team_lead,team_worker,clinic=200/404 *=403 anon=303"},
	{Route: "POST /births/{id}/contacts", Obj: "birth.fresh", Body: `channel=phone`, Want: "admin=400 team_lead,team_worker=400/404 *=403 anon=401"},
	{Route: "POST /births/{id}/merge", Serial: true, Obj: "birth.fresh", Body: `into={birth}`, Want: "admin=400 team_lead,team_worker=400/404 *=403 anon=401"},
	{Route: "POST /births/{id}/referral", Obj: "birth.fresh", Want: "team_lead,team_worker=303/404 *=403 anon=401"},
	{Route: "GET /reports/births", Want: "admin,analyst=200 *=403 anon=303"},
	{Route: "GET /birth-notifications", Public: true, Want: "*=301 anon=301"},
	{Route: "/", Path: "/bestaat-niet", Want: "*=404 anon=404"},
	{Route: "GET /outreach", Want: "ocmw_worker,ocmw_admin,clinic,dpo=403 *=200 anon=303"},
	{Route: "GET /outreach/targets", Want: "ocmw_worker,ocmw_admin,clinic,dpo=403 *=200 anon=303"},
	{Route: "GET /outreach/targets.csv", Want: "ocmw_worker,ocmw_admin,clinic,dpo=403 *=200 anon=303"},
	{Route: "GET /outreach/targets.xlsx", Want: "ocmw_worker,ocmw_admin,clinic,dpo=403 *=200 anon=303"},
	{Route: "GET /outreach/municipalities/{nis}", Obj: "nis", Want: "admin,analyst=200 team_lead,team_worker=200/403 *=403 anon=303", Public403: "municipalities are public reference data: a team outside its area gets 403"},
	{Route: "POST /outreach/municipalities/{nis}/contacts", Obj: "nis", Body: `function=other&name=Xavier+Nieuw&email=x%40hulshout.example`, Want: "admin=303 team_lead,team_worker=303/403 *=403 anon=401", Public403: "municipalities are public reference data: a team outside its area gets 403"},
	{Route: "POST /outreach/municipalities/{nis}/contacts/{id}", Obj: "contact.fresh", Body: `function=general_director&name=Jef+Matrixcontact&email=jef.matrixcontact%40hulshout.example`, Want: "admin=303 team_lead,team_worker=303/403 *=403 anon=401", Public403: "municipalities are public reference data: a team outside its area gets 403"},
	{Route: "POST /outreach/municipalities/{nis}/contacts/{id}/delete", Obj: "contact.fresh", Want: "admin=303 team_lead,team_worker=303/403 *=403 anon=401", Public403: "municipalities are public reference data: a team outside its area gets 403"},
	{Route: "POST /outreach/municipalities/{nis}/moments", Obj: "nis", Body: `channel=phone&summary=Gebeld&on=2025-05-01`, Want: "admin=303 team_lead,team_worker=303/403 *=403 anon=401", Public403: "municipalities are public reference data: a team outside its area gets 403"},
	{Route: "POST /outreach/municipalities/{nis}/tasks", Obj: "nis", Body: `title=Bel+terug&due_on=2025-07-01`, Want: "admin=303 team_lead,team_worker=303/403 *=403 anon=401", Public403: "municipalities are public reference data: a team outside its area gets 403"},
	{Route: "GET /outreach/campaigns", Want: "admin,team_lead,team_worker=200 *=403 anon=303"},
	{Route: "POST /outreach/campaigns", Body: `kind=visit&on=2025-04-01&subject=Bezoek&audience=list&municipality=13016`, Want: "admin=303 team_lead,team_worker=303/403 *=403 anon=401"},
	{Route: "GET /outreach/campaigns/{id}", Obj: "campaign", Want: "admin,team_lead,team_worker=200 *=403 anon=303"},
	{Route: "POST /outreach/campaigns/{id}/attendance", Obj: "campaign", Want: "admin,team_lead,team_worker=400 *=403 anon=401"},
	{Route: "GET /outreach/tasks", Want: "admin,team_lead,team_worker=200 *=403 anon=303"},
	{Route: "POST /outreach/tasks/{id}", Obj: "task.fresh", Body: `status=done`, Want: "admin=303 team_lead,team_worker=303/404 *=403 anon=401"},
	{Route: "GET /healthz", Public: true, Want: "*=200 anon=200"},
	{Route: "GET /readyz", Public: true, Want: "*=200 anon=200"},
	// /metrics only for its own token or from allowed networks (default loopback;
	// TestMetricsAccess): the test's clients come from 192.0.2.1.
	{Route: "GET /metrics", Want: "*=404 anon=404"},
	// DPO area: the audit console (the DPO only, of any organisation: the store scopes the events) and
	// break-glass access (admins only; the admin's request stays open, so the referral stays closed to it).
	{Route: "GET /api/v1/audit/events", Want: "dpo=200 *=403 anon=401"},
	{Route: "GET /api/v1/audit/flags", Want: "dpo=200 *=403 anon=401"},
	{Route: "POST /api/v1/referrals/{id}/break-glass", Obj: "referral", Body: `{"reason": "Matrixtest: dringende vraag van het gezin"}`, Want: "admin=201 *=403 anon=401"},
	{Route: "GET /api/v1/break-glass", Want: "admin=200 *=403 anon=401"},
	{Route: "POST /api/v1/break-glass/{id}/approve", Path: "/api/v1/break-glass/999999/approve", Body: `{}`, Want: "admin=404 *=403 anon=401"},
	{Route: "POST /api/v1/break-glass/{id}/deny", Path: "/api/v1/break-glass/999999/deny", Body: `{}`, Want: "admin=404 *=403 anon=401"},
	{Route: "GET /audit", Want: "dpo=200 *=403 anon=303"},
	{Route: "GET /audit/export.csv", Want: "dpo=200 *=403 anon=303"},
	{Route: "GET /audit/export.xlsx", Want: "dpo=200 *=403 anon=303"},
	{Route: "GET /break-glass", Want: "admin=200 *=403 anon=303"},
	{Route: "POST /break-glass", Body: `referral=x&reason=Matrixtest+reden`, Want: "admin=400 *=403 anon=401"},
	{Route: "POST /break-glass/{id}/approve", Path: "/break-glass/999999/approve", Want: "admin=404 *=403 anon=401"},
	{Route: "POST /break-glass/{id}/deny", Path: "/break-glass/999999/deny", Want: "admin=404 *=403 anon=401"},
	{Route: "GET /break-glass/referrals/{id}", Obj: "referral", Want: "admin=404 *=403 anon=303"},
	// Area gdpr: requests of families, for the DPO of the organisation that registered them (the
	// request of dpo/own is another OCMW's to dpo/other); the record of processing activities.
	{Route: "GET /api/v1/subject-requests", Want: "dpo=200 *=403 anon=401"},
	{Route: "POST /api/v1/subject-requests", Body: `{"type": "access", "receipt_code": "KR-MATR-IXXX-XXXX"}`, Want: "dpo=201 *=403 anon=401"},
	{Route: "GET /api/v1/subject-requests/{id}", Obj: "subject_request", Want: "dpo=200/404 *=403 anon=401"},
	{Route: "GET /api/v1/subject-requests/{id}/export.json", Obj: "subject_request", Want: "dpo=200/404 *=403 anon=401"},
	{Route: "GET /api/v1/subject-requests/{id}/export.pdf", Obj: "subject_request", Want: "dpo=200/404 *=403 anon=401"},
	{Route: "POST /api/v1/subject-requests/{id}/rectifications", Obj: "subject_request", Body: `{"note": "matrix"}`, Want: "dpo=201/404 *=403 anon=401"},
	{Route: "POST /api/v1/subject-requests/{id}/objections", Obj: "subject_request", Body: `{"note": "matrix"}`, Want: "dpo=201/404 *=403 anon=401"},
	{Route: "POST /api/v1/subject-requests/{id}/answer", Obj: "subject_request", Body: `{}`, Want: "dpo=200/404 *=403 anon=401"},
	{Route: "GET /api/v1/processing-record", Want: "admin,dpo=200 *=403 anon=401"},
	{Route: "GET /verzoeken", Want: "dpo=200 *=403 anon=303"},
	{Route: "POST /verzoeken", Body: `type=access&receipt_code=KR-MATR-IXXX-XXXX`, Want: "dpo=303 *=403 anon=401"},
	{Route: "GET /verzoeken/{id}", Obj: "subject_request", Want: "dpo=200/404 *=403 anon=303"},
	{Route: "GET /verzoeken/{id}/export.json", Obj: "subject_request", Want: "dpo=200/404 *=403 anon=303"},
	{Route: "GET /verzoeken/{id}/export.pdf", Obj: "subject_request", Want: "dpo=200/404 *=403 anon=303"},
	{Route: "POST /verzoeken/{id}/rectificaties", Obj: "subject_request", Body: `note=matrix`, Want: "dpo=303/404 *=403 anon=401"},
	{Route: "POST /verzoeken/{id}/bezwaren", Obj: "subject_request", Body: `note=matrix`, Want: "dpo=303/404 *=403 anon=401"},
	{Route: "POST /verzoeken/{id}/beantwoord", Obj: "subject_request", Body: `answered_on=`, Want: "dpo=303/404 *=403 anon=401"},
	{Route: "GET /verwerkingsregister", Want: "admin,dpo=200 *=403 anon=303"},
	{Route: "GET /verwerkingsregister.pdf", Want: "admin,dpo=200 *=403 anon=303"},
	// The access log's public proofs (hashes only); the matrix world has no signed checkpoint yet.
	{Route: "GET /api/v1/audit/checkpoints/latest", Public: true, Want: "*=404 anon=404"},
	{Route: "GET /api/v1/audit/proof/inclusion", Public: true, Path: "/api/v1/audit/proof/inclusion?index=0&size=1", Want: "*=400 anon=400"},
	{Route: "GET /api/v1/audit/proof/consistency", Public: true, Path: "/api/v1/audit/proof/consistency?old=1&new=1", Want: "*=400 anon=400"},
	// Last: signing out ends the callers' sessions.
	// The family's view (issue 11): the receipt code and a parent's postcode are the key; a proof line
	// that is not the family's (or while none is sealed) is the view's 404.
	{Route: "POST /api/v1/public/access-log", Public: true, Body: `{"receipt_code": "{receipt}", "postcode": "2235"}`, Want: "*=200 anon=200"},
	{Route: "POST /ontvangstbewijs/bewijs", Public: true, Body: `code={receipt}&postcode=2235&leaf=0`, Want: "*=404 anon=404"},
	// referrals: the confirmation before closing a case (reads the referral, as /inbox/{id}).
	{Route: "GET /inbox/{id}/close", Obj: "referral.sent", Path: "/inbox/{id}/close?outcome=declined&version=1", Want: "ocmw_worker=200/404 *=404 anon=303"},
	// Area outcome: the outcome dashboards (admins and analysts published counts; team leads and OCMWs their own).
	{Route: "GET /api/v1/reports/outcomes", Want: "admin,analyst,team_lead,ocmw_worker,ocmw_admin=200 *=403 anon=401"},
	{Route: "GET /reports/outcomes", Want: "admin,analyst,team_lead,ocmw_worker,ocmw_admin=200 *=403 anon=303"},
	// openstats area: the open statistics, anonymous and public, no personal data.
	{Route: "GET /api/v1/public/statistics", Public: true, Path: "/api/v1/public/statistics?from=2023-01&to=2023-12", Want: "*=200 anon=200"},
	{Route: "GET /api/v1/public/statistics/schema.json", Public: true, Want: "*=200 anon=200"},
	{Route: "GET /api/v1/public/statistics/dcat.jsonld", Public: true, Want: "*=200 anon=200"},
	{Route: "GET /statistieken", Public: true, Path: "/statistieken?from=2023-01&to=2023-12", Want: "*=200 anon=200"},
	{Route: "GET /statistieken/chart.svg", Public: true, Path: "/statistieken/chart.svg?from=2023-01&to=2023-12", Want: "*=200 anon=200"},
	// parliament: the parliamentary answer packs, for Opgroeien's admins and analysts only (aggregates, no
	// personal data); the downloads of a pack that does not exist.
	{Route: "POST /api/v1/reports/parliament-packs", Body: `{"as_of": "2025-05-31"}`, Want: "admin,analyst=201 *=403 anon=401"},
	{Route: "GET /api/v1/reports/parliament-packs", Want: "admin,analyst=200 *=403 anon=401"},
	{Route: "GET /api/v1/reports/parliament-packs/{id}/pdf", Path: "/api/v1/reports/parliament-packs/999999/pdf", Want: "admin,analyst=404 *=403 anon=401"},
	{Route: "GET /api/v1/reports/parliament-packs/{id}/csv", Path: "/api/v1/reports/parliament-packs/999999/csv", Want: "admin,analyst=404 *=403 anon=401"},
	{Route: "GET /api/v1/reports/parliament-packs/{id}/xlsx", Path: "/api/v1/reports/parliament-packs/999999/xlsx", Want: "admin,analyst=404 *=403 anon=401"},
	{Route: "GET /reports/parliament", Want: "admin,analyst=200 *=403 anon=303"},
	{Route: "POST /reports/parliament", Body: `as_of=31-05-2025`, Want: "admin,analyst=303 *=403 anon=401"},
	// listui: the outreach contacts' own list (the API list's rights: admins and local teams, their own area).
	{Route: "GET /outreach/contacts", Want: "admin,team_lead,team_worker=200 *=403 anon=303"},
	// Area underreferral: where families are missed (aggregates, Opgroeien's admins and analysts).
	{Route: "GET /api/v1/reports/under-referral", Want: "admin,analyst=200 *=403 anon=401"},
	{Route: "GET /reports/under-referral", Want: "admin,analyst=200 *=403 anon=303"},
	// Area sso: single sign-on is off in this world (no issuer): both sign-in routes answer 404 to everybody.
	// Only Opgroeien's admins assign a pending sign-in; this one does not exist.
	{Route: "GET /auth/oidc/start", Public: true, Want: "*=404 anon=404"},
	{Route: "GET /auth/oidc/callback", Public: true, Path: "/auth/oidc/callback?code=matrix&state=matrix", Want: "*=404 anon=404"},
	{Route: "POST /users/sso-pending/{id}/assign", Path: "/users/sso-pending/999999/assign", Body: `role=ocmw_worker&organisation=ocmw-13016`, Want: "admin=404 *=403 anon=401"},
	// Area totp: the second step of a sign-in needs its pending sign-in (a cookie limited to /login):
	// without one, everybody goes back to the login page. Nobody in the matrix has a second factor:
	// a code to renew recovery codes or to switch it off is a conflict; confirming needs a code.
	{Route: "GET /login/tweede-factor", Public: true, Want: "*=303 anon=303"},
	{Route: "POST /login/tweede-factor", Public: true, Body: `code=123456`, Want: "*=303 anon=303"},
	{Route: "GET /login/tweede-factor/instellen", Public: true, Want: "*=303 anon=303"},
	{Route: "POST /login/tweede-factor/instellen", Public: true, Body: `code=123456`, Want: "*=303 anon=303"},
	{Route: "GET /account/second-factor", Want: "*=200 anon=303"},
	{Route: "POST /account/second-factor/new", Serial: true, Want: "*=303 anon=401"},
	{Route: "POST /account/second-factor/confirm", Serial: true, Body: `code=`, Want: "*=400 anon=401"},
	{Route: "POST /account/second-factor/recovery-codes", Body: `code=000000`, Want: "*=409 anon=401"},
	{Route: "POST /account/second-factor/disable", Body: `code=000000`, Want: "*=409 anon=401"},
	// An admin resets a user's second factor, an OCMW admin its own OCMW's; anybody else gets the 404 of a missing user.
	{Route: "POST /users/{id}/second-factor-reset", Obj: "user.ocmw", Want: "admin=303 ocmw_admin=303/404 *=404 anon=401"},
	{Route: "POST /api/v1/users/{id}/second-factor-reset", Obj: "user.ocmw", Body: `{}`, Want: "admin=204 ocmw_admin=204/404 *=404 anon=401"},
	{Route: "POST /logout", Want: "*=303 anon=401"},
}
