package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// client fetches from the server; a minute is plenty for a few hashes.
var client = &http.Client{Timeout: time.Minute}

// getJSON fetches base+path and decodes the JSON answer into v. Any status
// but 200 is an error that quotes the server's error code, if it gave one.
func getJSON(ctx context.Context, base, path string, v any) error {
	u := strings.TrimRight(base, "/") + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return &usageError{fmt.Sprintf("bad --url: %v", err)}
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal(b, &e) == nil && e.Error.Code != "" {
			return fmt.Errorf("GET %s: %s (%s: %s)", u, resp.Status, e.Error.Code, e.Error.Message)
		}
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("GET %s: the answer is not the expected JSON: %v", u, err)
	}
	return nil
}
