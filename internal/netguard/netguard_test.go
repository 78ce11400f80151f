package netguard

import (
	"net/netip"
	"testing"
)

func TestPublic(t *testing.T) {
	for _, s := range []string{"93.184.215.14", "8.8.8.8", "2a00:1450:4001::1", "::ffff:8.8.8.8", "100.63.255.255", "172.32.0.1"} {
		if !Public(netip.MustParseAddr(s)) {
			t.Errorf("%s: not public, want public", s)
		}
	}
	for _, s := range []string{"127.0.0.1", "127.255.0.1", "::1", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.0.1",
		"169.254.169.254", "fe80::1", "fe80::1%eth0", "224.0.0.1", "239.255.255.250", "ff02::1", "ff01::1", "0.0.0.0", "::",
		"0.1.2.3", "100.64.0.1", "100.127.255.254", "fd00::1", "fc00::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
		"64:ff9b::a00:1", "2002:7f00:1::1", "255.255.255.255", "198.18.0.1", "fec0::1"} {
		if Public(netip.MustParseAddr(s)) {
			t.Errorf("%s: public, want refused", s)
		}
	}
}

func TestControl(t *testing.T) {
	t.Setenv(InsecureEnv, "")
	for _, a := range []string{"127.0.0.1:443", "[::1]:443", "[::ffff:10.0.0.1]:443", "169.254.169.254:80", "garbage"} {
		if Control("tcp", a, nil) == nil {
			t.Errorf("dial %s allowed", a)
		}
	}
	if err := Control("tcp", "93.184.215.14:443", nil); err != nil {
		t.Errorf("dial public address refused: %v", err)
	}
	t.Setenv(InsecureEnv, "1")
	if err := Control("tcp", "127.0.0.1:8080", nil); err != nil {
		t.Errorf("dial 127.0.0.1 with the development setting: %v", err)
	}
}
