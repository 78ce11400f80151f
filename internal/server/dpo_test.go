package server

import (
	"testing"
	"time"
)

func TestDPOConfig(t *testing.T) {
	env := map[string]string{}
	get := func(k string) string { return env[k] }
	cfg, ttl, err := dpoConfig(get)
	if err != nil || cfg.ManyFamilies != 20 || cfg.Denials != 5 || cfg.ManyFamiliesWindow != time.Hour || ttl != 4*time.Hour {
		t.Fatalf("defaults: %+v %s %v", cfg, ttl, err)
	}
	env = map[string]string{"KANSRIJK_FLAG_FAMILIES": "50", "KANSRIJK_FLAG_DENIALS_WINDOW": "30m", "KANSRIJK_BREAK_GLASS_TTL": "2h"}
	cfg, ttl, err = dpoConfig(get)
	if err != nil || cfg.ManyFamilies != 50 || cfg.DenialsWindow != 30*time.Minute || ttl != 2*time.Hour {
		t.Fatalf("set: %+v %s %v", cfg, ttl, err)
	}
	for k, v := range map[string]string{"KANSRIJK_FLAG_FAMILIES": "0", "KANSRIJK_FLAG_DENIALS": "veel", "KANSRIJK_BREAK_GLASS_TTL": "-1h", "KANSRIJK_FLAG_FAMILIES_WINDOW": "uur"} {
		env = map[string]string{k: v}
		if _, _, err := dpoConfig(get); err == nil {
			t.Errorf("%s=%s accepted", k, v)
		}
	}
}
