package config

// Area sso: the checks of the single sign-on settings.

import (
	"fmt"
	"net/url"

	"kansrijk/internal/sso"
)

func checkIssuer(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("want the provider's issuer URL such as https://login.example.org/realms/kansrijk, got %q", v)
	}
	return nil
}

func checkRoleMap(v string) error {
	_, err := sso.ParseRoleMap(v)
	return err
}
