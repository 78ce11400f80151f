package cli

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"

	"kansrijk/internal/account"
	"kansrijk/internal/demo"
)

func migrate(ctx context.Context, args []string, env Env) error {
	fs := flags("migrate", env)
	dsn := dbFlag(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.MigrationVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "database %s (%s) is at migration %d\n", db.Redacted, db.Dialect(), v)
	return nil
}

func demoCmd(ctx context.Context, args []string, env Env) error {
	fs := flags("demo", env)
	dsn := dbFlag(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := demo.Load(ctx, db); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "demo data loaded; accounts (password %q):\n", demo.Password)
	for _, a := range demo.Accounts {
		fmt.Fprintf(env.Stdout, "  %-12s %s\n", a.Role, a.Email)
	}
	return nil
}

func userCreate(ctx context.Context, args []string, env Env) error {
	fs := flags("user create", env)
	dsn := dbFlag(fs, env)
	email := fs.String("email", "", "e-mail address (login)")
	role := fs.String("role", "", "role")
	orgKey := fs.String("org", "", "organisation key")
	name := fs.String("name", "", "display name")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := parse(fs, args); err != nil {
		return err
	}
	var missing []string
	for _, f := range []struct{ name, v string }{{"--email", *email}, {"--role", *role}, {"--org", *orgKey}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return &usageError{"user create needs " + strings.Join(missing, ", "), usage}
	}
	if _, err := account.ParseRole(*role); err != nil {
		return &usageError{err.Error(), usage}
	}
	password := ""
	if *pwStdin {
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("--password-stdin: no password on standard input")
		}
		password = strings.TrimRight(line, "\r\n")
		if password == "" {
			return fmt.Errorf("--password-stdin: the password is empty")
		}
	}
	db, err := open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.CreateUser(ctx, account.Program(account.SourceCLI, "user"), account.NewUser{Email: *email, Name: *name, Role: *role, Org: *orgKey, Password: password})
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, u.ID)
	return nil
}

func tokenCreate(ctx context.Context, args []string, env Env) error {
	fs := flags("token create", env)
	dsn := dbFlag(fs, env)
	email := fs.String("email", "", "e-mail address of the token's user")
	label := fs.String("label", "", "what the token is for")
	if err := parse(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*email) == "" {
		return &usageError{"token create needs --email", usage}
	}
	db, err := open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	secret, err := db.CreateToken(ctx, account.Program(account.SourceCLI, "token"), *email, *label)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, secret)
	return nil
}

func tokenRevoke(ctx context.Context, args []string, env Env) error {
	fs := flags("token revoke", env)
	dsn := dbFlag(fs, env)
	id := fs.String("id", "", "token id")
	if err := parse(fs, args); err != nil {
		return err
	}
	n, err := strconv.ParseInt(*id, 10, 64)
	if err != nil || n <= 0 {
		return &usageError{"token revoke needs --id N", usage}
	}
	db, err := open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.RevokeToken(ctx, account.Program(account.SourceCLI, "token"), n); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "token %d revoked\n", n)
	return nil
}
