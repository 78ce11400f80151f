package httpx

import (
	"net/url"
	"testing"
)

func TestLocalPath(t *testing.T) {
	tests := []struct {
		name, target, want string
	}{
		{"Root", "/", "/"},
		{"Page", "/referrals", "/referrals"},
		{"PageWithQuery", "/referrals?status=sent&page=2", "/referrals?status=sent&page=2"},
		{"EncodedQuery", "/outreach?q=J%C3%A9r%C3%B4me+Peeters", "/outreach?q=J%C3%A9r%C3%B4me+Peeters"},
		{"QueryHoldsURL", "/outreach?from=http%3A%2F%2Fexample.org%2Fx", "/outreach?from=http%3A%2F%2Fexample.org%2Fx"},
		{"Fragment", "/agreements/7#documents", "/agreements/7#documents"},
		{"DotSegment", "/a/../referrals", "/a/../referrals"},

		{"ErrEmpty", "", "/"},
		{"ErrRelative", "referrals", "/"},
		{"ErrAbsoluteURL", "https://evil.example/", "/"},
		{"ErrSchemeRelative", "//evil.example", "/"},
		{"ErrTripleSlash", "///evil.example", "/"},
		{"ErrJavascript", "javascript:alert(1)", "/"},
		{"SchemeLikePath", "/https://evil.example", "/https://evil.example"}, // a path on this server
		{"ErrTab", "/\t/evil.example", "/"},
		{"ErrCR", "/\r/evil.example", "/"},
		{"ErrLF", "/\n/evil.example", "/"},
		{"ErrNUL", "/\x00/evil.example", "/"},
		{"ErrDEL", "/\x7f/evil.example", "/"},
		{"ErrSpace", "/ /evil.example", "/"},
		{"ErrNoBreakSpace", "/\u00a0/evil.example", "/"},
		{"ErrBackslash", "/\\evil.example", "/"},
		{"ErrBackslashes", "\\\\evil.example", "/"},
		{"ErrBackslashLater", "/x/\\evil.example", "/"},
		{"ErrTabEncoded", "/%09/evil.example", "/"},
		{"ErrCREncoded", "/%0d/evil.example", "/"},
		{"ErrLFEncoded", "/%0A/evil.example", "/"},
		{"ErrBackslashEncoded", "/%5Cevil.example", "/"},
		{"ErrSlashEncoded", "/%2Fevil.example", "/"},
		{"ErrTabDoubleEncoded", "/%2509/evil.example", "/"},
		{"ErrLFDoubleEncoded", "/%250a/evil.example", "/"},
		{"ErrBackslashDoubleEncoded", "/%255C/evil.example", "/"},
		{"ErrSlashDoubleEncoded", "/%252Fevil.example", "/"},
		{"ErrTabTripleEncoded", "/%252509/evil.example", "/"},
		{"ErrDotSlash", "/.//evil.example", "/"},
		{"ErrDotDotSlash", "/a/..//evil.example", "/"},
		{"ErrEncodedDotSlash", "/%2e//evil.example", "/"},
		{"ErrBadEscape", "/%zz", "/"},
		{"ErrCRLFHeader", "/x%0d%0aSet-Cookie:%20a=b", "/"},
		{"ErrTabInQuery", "/referrals?q=%09", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LocalPath(tt.target); got != tt.want {
				t.Errorf("LocalPath(%q) = %q, want %q", tt.target, got, tt.want)
			}
		})
	}
}

// FuzzLocalPath: whatever the input, the result, resolved against this
// server's origin as a browser would (after dropping tabs and newlines
// and reading backslashes as slashes), stays on this origin.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/", "/a?b=c", "//x", "/\t/x", "/%09/x", "/%2509/x", "/\\x", "/.//x", "https://x/"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://kansrijk.test/login")
	f.Fuzz(func(t *testing.T, s string) {
		got := LocalPath(s)
		browser := []byte{}
		for i := 0; i < len(got); i++ {
			switch c := got[i]; c {
			case '\t', '\n', '\r':
			case '\\':
				browser = append(browser, '/')
			default:
				browser = append(browser, c)
			}
		}
		u, err := base.Parse(string(browser))
		if err != nil {
			return // the browser would not follow it either
		}
		if u.Host != base.Host || u.Scheme != base.Scheme {
			t.Fatalf("LocalPath(%q) = %q leads to %s", s, got, u)
		}
	})
}
