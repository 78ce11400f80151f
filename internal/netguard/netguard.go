// Package netguard keeps Kansrijk's outgoing requests to addresses chosen
// by users (the webhooks of OCMWs) on the public internet: never to the
// loopback interface, a private network, a link-local address (cloud
// metadata services live there), multicast or an unspecified address.
// The rule is applied twice: when an address is registered (Host), and
// when a connection is made (Control, for net.Dialer), so that a name that
// resolves to a public address at registration and to an internal one
// later (DNS rebinding) still reaches nothing inside.
//
// KANSRIJK_WEBHOOK_ALLOW_INSECURE=1 switches the rule off, and allows
// plain http: for development and tests with a receiver on 127.0.0.1.
// Never in production.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"time"
)

// InsecureEnv names the development setting.
const InsecureEnv = "KANSRIJK_WEBHOOK_ALLOW_INSECURE"

// AllowInsecure reports whether the development setting is on. It is read
// at every use, so that a test can switch it.
func AllowInsecure() bool { return os.Getenv(InsecureEnv) == "1" }

// ErrNotAllowed is the reason for every refusal.
var ErrNotAllowed = errors.New("address not allowed: not a public internet address")

// blocked are the ranges that are not the public internet, beyond what
// netip.Addr's predicates (loopback, private, link-local, multicast,
// unspecified) cover.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64: would reach any IPv4 address
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4: embeds any IPv4 address
	netip.MustParsePrefix("2001::/32"),       // Teredo: embeds an IPv4 address
	netip.MustParsePrefix("fc00::/7"),        // unique local (ULA)
	netip.MustParsePrefix("fec0::/10"),       // site-local (deprecated)
}

// Public reports whether ip is an address on the public internet. An
// IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4
// address it carries.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap().WithZone("")
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range blocked {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// internalSuffixes are names that never denote a host on the public
// internet.
var internalSuffixes = []string{".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa", ".arpa", ".corp", ".localdomain"}

// Resolver looks names up (net.DefaultResolver; tests may replace it).
var Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
} = net.DefaultResolver

// Host checks the host part of a URL chosen by a user: an IP literal must
// be public; a name must look like a public name (a dot, no internal
// suffix) and every address it resolves to now must be public. A name
// that does not resolve yet passes: the check at dial time stands guard
// for it. With the development setting every host passes.
func Host(ctx context.Context, host string) error {
	if AllowInsecure() {
		return nil
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if ip, err := netip.ParseAddr(host); err == nil {
		if !Public(ip) {
			return fmt.Errorf("%w: %s", ErrNotAllowed, ip)
		}
		return nil
	}
	if host == "" || host == "localhost" || !strings.Contains(host, ".") {
		return fmt.Errorf("%w: %q is not a public host name", ErrNotAllowed, host)
	}
	for _, s := range internalSuffixes {
		if strings.HasSuffix(host, s) {
			return fmt.Errorf("%w: %q is an internal name", ErrNotAllowed, host)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := Resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil // not resolvable now: Control refuses it later if it turns internal
	}
	for _, a := range addrs {
		if !Public(a) {
			return fmt.Errorf("%w: %q resolves to %s", ErrNotAllowed, host, a)
		}
	}
	return nil
}

// Control is a net.Dialer Control function: it refuses a connection to an
// address that is not public, after name resolution, just before the
// connection is made. With the development setting it allows all.
func Control(network, address string, _ syscall.RawConn) error {
	if AllowInsecure() {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %q", ErrNotAllowed, address)
	}
	if !Public(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrNotAllowed, ap.Addr())
	}
	return nil
}
