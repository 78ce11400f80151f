package httpx

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Transport is how requests reach this server: the public address people
// type (KANSRIJK_BASE_URL) and the reverse proxies trusted to say who the
// client is and whether it came over https (KANSRIJK_TRUSTED_PROXIES).
type Transport struct {
	// BaseURL is the public address; its scheme decides the cookies'
	// Secure flag and HSTS.
	BaseURL *url.URL
	// TrustedProxies: only a peer in one of these networks may set
	// X-Forwarded-For and X-Forwarded-Proto. None by default.
	TrustedProxies []netip.Prefix
}

// DefaultBaseURL is the public address when none is configured.
const DefaultBaseURL = "http://localhost:8080"

// NewTransport checks a public address and a list of trusted proxies
// (see ParseTrustedProxies) and returns their Transport. An empty base
// URL is DefaultBaseURL.
func NewTransport(baseURL, trustedProxies string) (*Transport, error) {
	if strings.TrimSpace(baseURL) == "" {
		baseURL = DefaultBaseURL
	}
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("KANSRIJK_BASE_URL must be an http(s) URL such as https://kansrijk.example.org, not %q", baseURL)
	}
	proxies, err := ParseTrustedProxies(trustedProxies)
	if err != nil {
		return nil, fmt.Errorf("KANSRIJK_TRUSTED_PROXIES: %w", err)
	}
	return &Transport{BaseURL: u, TrustedProxies: proxies}, nil
}

// ParseTrustedProxies reads KANSRIJK_TRUSTED_PROXIES: addresses or CIDR
// networks separated by commas or spaces; empty or "none" is no proxy.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "none") {
		return nil, nil
	}
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is no address or CIDR network (such as 10.0.0.0/8 or 127.0.0.1)", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// HTTPS reports whether the public address is https.
func (t *Transport) HTTPS() bool { return t != nil && t.BaseURL != nil && t.BaseURL.Scheme == "https" }

func (t *Transport) trusted(a netip.Addr) bool {
	if t == nil || !a.IsValid() {
		return false
	}
	a = a.Unmap()
	for _, p := range t.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// via is what Transport.Resolve found out about a request.
type via struct {
	t      *Transport
	client string
	https  bool
}

type viaKey struct{}

// Resolve works out the client address and the scheme of r once, for
// ClientAddr, IsHTTPS and the cookies, and returns r with them in its
// context. X-Forwarded-For and X-Forwarded-Proto count only when the
// peer (the TCP connection's address) is a trusted proxy; then the
// client is the rightmost address of X-Forwarded-For that is no trusted
// proxy, since everything left of it may have been written by the client.
func (t *Transport) Resolve(r *http.Request) *http.Request {
	v := &via{t: t, client: peerAddr(r), https: r.TLS != nil}
	peer, err := netip.ParseAddr(v.client)
	if err == nil && t.trusted(peer) {
		v.client = peer.Unmap().String()
		if c, ok := t.forwardedClient(r.Header.Values("X-Forwarded-For")); ok {
			v.client = c
		}
		if p := lastListValue(r.Header.Values("X-Forwarded-Proto")); p != "" {
			v.https = strings.EqualFold(p, "https")
		}
	}
	return r.WithContext(context.WithValue(r.Context(), viaKey{}, v))
}

// forwardedClient walks X-Forwarded-For from the right: trusted proxies
// are skipped; the first other address is the client. An entry that is
// no address stops the walk at the last trusted hop before it.
func (t *Transport) forwardedClient(headers []string) (string, bool) {
	var hops []string
	for _, h := range headers {
		hops = append(hops, strings.Split(h, ",")...)
	}
	client, found := "", false
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(strings.TrimSpace(hops[i]))
		if !ok {
			break
		}
		client, found = a.String(), true
		if !t.trusted(a) {
			break
		}
	}
	return client, found
}

// parseHop reads one X-Forwarded-For entry: an address, optionally with
// a port ("192.0.2.1:1234", "[2001:db8::1]:80").
func parseHop(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

func lastListValue(headers []string) string {
	if len(headers) == 0 {
		return ""
	}
	parts := strings.Split(headers[len(headers)-1], ",")
	return strings.TrimSpace(parts[len(parts)-1])
}

func peerAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func viaOf(r *http.Request) *via {
	if v, ok := r.Context().Value(viaKey{}).(*via); ok {
		return v
	}
	return nil
}

// IsHTTPS reports whether the request reached the client's side over
// https: TLS on this connection, or a trusted proxy saying so.
func IsHTTPS(r *http.Request) bool {
	if v := viaOf(r); v != nil {
		return v.https
	}
	return r.TLS != nil
}

// SecureCookies reports whether this server's cookies carry the Secure
// flag: when the public address is https.
func SecureCookies(r *http.Request) bool {
	v := viaOf(r)
	return v != nil && v.t.HTTPS()
}

// SetCookie sets one of this server's cookies: path "/" unless given,
// HttpOnly, SameSite=Lax, and Secure when the public address is https
// (SecureCookies). Every session and language cookie goes through it.
func SetCookie(w http.ResponseWriter, r *http.Request, c *http.Cookie) {
	if c.Path == "" {
		c.Path = "/"
	}
	c.HttpOnly = true
	c.SameSite = http.SameSiteLaxMode
	c.Secure = SecureCookies(r)
	http.SetCookie(w, c)
}

// SetSessionCookie hands the browser its session secret.
func SetSessionCookie(w http.ResponseWriter, r *http.Request, secret string, expires time.Time) {
	SetCookie(w, r, &http.Cookie{Name: SessionCookie, Value: secret, Expires: expires})
}

// ClearSessionCookie removes the session cookie from the browser.
func ClearSessionCookie(w http.ResponseWriter, r *http.Request) {
	SetCookie(w, r, &http.Cookie{Name: SessionCookie, Value: "", MaxAge: -1})
}

// Why signing in cannot work on this request (LoginProblem).
const (
	// LoginNeedsHTTPS: the public address is https, but this request came
	// over plain http: the browser would drop the Secure session cookie.
	LoginNeedsHTTPS = "needs_https"
	// LoginPlainHTTP: plain http on a host other than this machine:
	// passwords and sessions would cross the network unencrypted, so
	// signing in is refused.
	LoginPlainHTTP = "plain_http"
)

// LoginProblem tells why signing in cannot work on r, or "" when it can:
// requests over https, and plain http to localhost or a loopback address
// (development) can sign in. A request the server's Transport did not
// resolve (a handler called on its own) has no problem.
func LoginProblem(r *http.Request) string {
	v := viaOf(r)
	if v == nil || v.https || loopbackHost(r.Host) {
		return ""
	}
	if v.t.HTTPS() {
		return LoginNeedsHTTPS
	}
	return LoginPlainHTTP
}

// PublicURL is the configured public address ("" when unknown).
func PublicURL(r *http.Request) string {
	if v := viaOf(r); v != nil && v.t.BaseURL != nil {
		return strings.TrimRight(v.t.BaseURL.String(), "/")
	}
	return ""
}

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(strings.ToLower(host), "[]"), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}
