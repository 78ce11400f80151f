//go:build !wip

package cli

import (
	"context"
	"errors"
)

func reportAgreements(ctx context.Context, args []string, env Env) error {
	return errors.New("report agreements is not built in this version")
}
