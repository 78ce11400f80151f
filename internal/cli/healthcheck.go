package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// healthcheck is `kansrijk healthcheck [--url URL]`: GET the URL (the
// server's /healthz by default) and exit 0 on 200, 1 otherwise. It is the
// HEALTHCHECK of the container image, which has no curl or wget.
func healthcheck(ctx context.Context, args []string, env Env) error {
	fs := flags("healthcheck", env)
	u := fs.String("url", "http://127.0.0.1:8080/healthz", "URL that must answer 200")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the answer")
	if err := parse(fs, args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *u, nil)
	if err != nil {
		return &usageError{fmt.Sprintf("invalid --url %q: %v", *u, err), usage}
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("unhealthy: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("unhealthy: %s answered %s", *u, resp.Status)
	}
	fmt.Fprintf(env.Stdout, "healthy: %s answered %s\n", *u, resp.Status)
	return nil
}
