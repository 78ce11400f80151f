package server

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"kansrijk/internal/audit"
	"kansrijk/internal/breakglass"
)

// DPO area: the thresholds of the console's flags and how long an
// approved break-glass request opens a referral, from the environment:
//
//	KANSRIJK_FLAG_FAMILIES          more than this many families by one user … (20)
//	KANSRIJK_FLAG_FAMILIES_WINDOW   … within this time (1h)
//	KANSRIJK_FLAG_DENIALS           at least this many denials by one user … (5)
//	KANSRIJK_FLAG_DENIALS_WINDOW    … within this time (1h)
//	KANSRIJK_BREAK_GLASS_TTL        how long an approval opens the referral (4h)
func dpoConfig(getenv func(string) string) (audit.FlagConfig, time.Duration, error) {
	cfg, ttl := audit.DefaultFlagConfig(), breakglass.DefaultTTL
	count := func(name string, into *int) error {
		if s := getenv(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				return fmt.Errorf("%s must be a positive whole number, got %q", name, s)
			}
			*into = n
		}
		return nil
	}
	dur := func(name string, into *time.Duration) error {
		if s := getenv(name); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil || d <= 0 {
				return fmt.Errorf("%s must be a positive duration such as 1h or 30m, got %q", name, s)
			}
			*into = d
		}
		return nil
	}
	for _, err := range []error{
		count("KANSRIJK_FLAG_FAMILIES", &cfg.ManyFamilies), dur("KANSRIJK_FLAG_FAMILIES_WINDOW", &cfg.ManyFamiliesWindow),
		count("KANSRIJK_FLAG_DENIALS", &cfg.Denials), dur("KANSRIJK_FLAG_DENIALS_WINDOW", &cfg.DenialsWindow),
		dur("KANSRIJK_BREAK_GLASS_TTL", &ttl),
	} {
		if err != nil {
			return cfg, ttl, err
		}
	}
	return cfg, ttl, nil
}

// dpoConfigFromEnv is dpoConfig on the process environment.
func dpoConfigFromEnv() (audit.FlagConfig, time.Duration, error) { return dpoConfig(os.Getenv) }
