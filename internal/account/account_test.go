package account

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kansrijk/internal/apperr"
)

func TestHashPassword(t *testing.T) {
	const pw = "correct-horse-battery"
	h1, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("Argon2id", func(t *testing.T) {
		if !strings.HasPrefix(h1, "$argon2id$v=19$") || strings.Contains(h1, pw) {
			t.Errorf("hash %q", h1)
		}
	})
	t.Run("SaltedDifferently", func(t *testing.T) {
		if h1 == h2 {
			t.Error("two hashes of one password are equal")
		}
	})
	t.Run("Verify", func(t *testing.T) {
		tests := []struct {
			name, hash, password string
			want                 bool
		}{
			{"OK", h1, pw, true},
			{"OKOtherSalt", h2, pw, true},
			{"ErrWrongPassword", h1, pw + "!", false},
			{"ErrCaseDiffers", h1, strings.ToUpper(pw), false},
			{"ErrEmptyPassword", h1, "", false},
			{"ErrEmptyHash", "", pw, false},
			{"ErrMalformedHash", "$argon2id$v=19$m=65536$xx$yy", pw, false},
			{"ErrOtherAlgorithm", strings.Replace(h1, "argon2id", "argon2i", 1), pw, false},
			{"ErrBadSalt", strings.Join(func() []string { p := strings.Split(h1, "$"); p[4] = "!!"; return p }(), "$"), pw, false},
			{"ErrPlainText", pw, pw, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if got := CheckPassword(tt.hash, tt.password); got != tt.want {
					t.Errorf("CheckPassword = %t, want %t", got, tt.want)
				}
			})
		}
	})
}

func TestNewSecret(t *testing.T) {
	s1, h1 := NewSecret(TokenPrefix)
	s2, h2 := NewSecret(TokenPrefix)
	if !strings.HasPrefix(s1, "krt_") || len(s1) != len("krt_")+43 {
		t.Errorf("secret %q: want krt_ and 43 base64url characters", s1)
	}
	if s1 == s2 || h1 == h2 {
		t.Error("two secrets are equal")
	}
	if h1 != HashSecret(s1) || len(h1) != 64 || strings.Contains(h1, strings.TrimPrefix(s1, "krt_")) {
		t.Errorf("hash %q of %q", h1, s1)
	}
}

func TestParseRole(t *testing.T) {
	for _, r := range Roles {
		t.Run(string(r), func(t *testing.T) {
			got, err := ParseRole(" " + string(r) + " ")
			if err != nil || got != r {
				t.Errorf("ParseRole(%q) = %q, %v", r, got, err)
			}
		})
	}
	for _, bad := range []string{"", "Admin", "root", "ocmw", "team-worker"} {
		t.Run("Err/"+bad, func(t *testing.T) {
			_, err := ParseRole(bad)
			if apperr.Code(err) != apperr.UnknownRole {
				t.Errorf("ParseRole(%q) error %v, want unknown_role", bad, err)
			}
		})
	}
	if len(Roles) != 8 {
		t.Errorf("%d roles, want the 8 of the command-line contract", len(Roles))
	}
}

func TestAllowedAt(t *testing.T) {
	kinds := []OrgKind{KindOpgroeien, KindOCMW, KindCAW, KindTeam, KindClinic}
	want := map[Role][]OrgKind{
		Admin:      {KindOpgroeien},
		Analyst:    {KindOpgroeien},
		DPO:        {KindOpgroeien, KindOCMW, KindCAW},
		TeamLead:   {KindTeam},
		TeamWorker: {KindTeam},
		OCMWWorker: {KindOCMW, KindCAW},
		OCMWAdmin:  {KindOCMW, KindCAW},
		Clinic:     {KindClinic},
	}
	for _, r := range Roles {
		var got []OrgKind
		for _, k := range kinds {
			if r.AllowedAt(k) {
				got = append(got, k)
			}
		}
		if diff := cmp.Diff(want[r], got); diff != "" {
			t.Errorf("%s allowed at (-want +got):\n%s", r, diff)
		}
	}
	if Role("root").AllowedAt(KindOpgroeien) {
		t.Error("an unknown role is allowed somewhere")
	}
}

func TestNormalize(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		n := NewUser{Email: "  An.De.Smet@Example.TEST ", Name: "  An De Smet ", Role: "ocmw_worker", Org: " ocmw-11002 ", Password: "twelve-chars"}
		if err := n.Normalize(); err != nil {
			t.Fatal(err)
		}
		want := NewUser{Email: "an.de.smet@example.test", Name: "An De Smet", Role: "ocmw_worker", Org: "ocmw-11002", Password: "twelve-chars"}
		if diff := cmp.Diff(want, n); diff != "" {
			t.Errorf("normalized (-want +got):\n%s", diff)
		}
	})
	tests := []struct {
		name     string
		in       NewUser
		wantCode string
		field    string
	}{
		{"ErrEmptyEmail", NewUser{Role: "admin", Org: "opgroeien"}, apperr.Invalid, "email"},
		{"ErrEmailWithoutAt", NewUser{Email: "ann", Role: "admin", Org: "opgroeien"}, apperr.Invalid, "email"},
		{"ErrEmailWithName", NewUser{Email: "Ann <ann@example.test>", Role: "admin", Org: "opgroeien"}, apperr.Invalid, "email"},
		{"ErrEmailWithSpace", NewUser{Email: "ann smet@example.test", Role: "admin", Org: "opgroeien"}, apperr.Invalid, "email"},
		{"ErrUnknownRole", NewUser{Email: "ann@example.test", Role: "boss", Org: "opgroeien"}, apperr.UnknownRole, "role"},
		{"ErrNoOrg", NewUser{Email: "ann@example.test", Role: "admin", Org: "  "}, apperr.UnknownOrg, "org"},
		{"ErrShortPassword", NewUser{Email: "ann@example.test", Role: "admin", Org: "opgroeien", Password: "elevenchars"}, CodePasswordTooShort, "password"},
		{"ErrLongPassword", NewUser{Email: "ann@example.test", Role: "admin", Org: "opgroeien", Password: strings.Repeat("x", 257)}, CodePasswordTooLong, "password"},
		{"ErrCommonPassword", NewUser{Email: "ann@example.test", Role: "admin", Org: "opgroeien", Password: "QwertyUiop123"}, CodePasswordCommon, "password"},
		{"ErrLongName", NewUser{Email: "ann@example.test", Name: strings.Repeat("a", 201), Role: "admin", Org: "opgroeien"}, apperr.Invalid, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Normalize()
			e, ok := apperr.As(err)
			if !ok || e.Code != tt.wantCode || e.Field != tt.field {
				t.Errorf("Normalize error %v, want code %s on field %s", err, tt.wantCode, tt.field)
			}
		})
	}
}

func TestPermissions(t *testing.T) {
	want := map[Permission][]Role{
		ManageOrganisations: {Admin},
		ViewOrganisations:   Roles,
		ManageUsers:         {Admin, OCMWAdmin},
		ViewAudit:           {DPO},
	}
	for p, roles := range want {
		for _, r := range Roles {
			a := Actor{Role: r}
			allowed := false
			for _, w := range roles {
				allowed = allowed || w == r
			}
			if a.Can(p) != allowed {
				t.Errorf("%s can %s = %t, want %t", r, p, a.Can(p), allowed)
			}
			err := a.Require(p)
			if allowed != (err == nil) || (err != nil && apperr.Code(err) != apperr.Forbidden) {
				t.Errorf("%s require %s = %v", r, p, err)
			}
		}
	}
}

func TestActorContext(t *testing.T) {
	if _, ok := FromContext(context.Background()); ok {
		t.Error("actor in an empty context")
	}
	a := Actor{UserID: 7, Email: "a@example.test", Role: Analyst, Org: "opgroeien"}
	got, ok := FromContext(NewContext(context.Background(), a))
	if !ok || got != a {
		t.Errorf("FromContext = %+v, %t", got, ok)
	}
	if sys := System("cli"); sys.Role != Admin || !sys.IsCentral() || sys.Via != "cli" {
		t.Errorf("System = %+v", sys)
	}
}
