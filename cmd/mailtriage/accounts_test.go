package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/mailtriage/mailtriage/backend/mail/graph/graphtest"
	"github.com/mailtriage/mailtriage/config"
)

func TestGraphAccountSignsInAndListsFolders(t *testing.T) {
	srv := graphtest.New()
	defer srv.Close()
	path := graphConfig(t, srv)
	state := os.Getenv("XDG_STATE_HOME")
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	acct, err := newAccount(&cfg.Accounts[0], 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer acct.Mailbox.Close()
	if want := srv.BaseURL() + "/users/" + srv.Mailbox; acct.Server != want {
		t.Fatalf("Server %q, want %q", acct.Server, want)
	}
	line, err := checkAccount(context.Background(), acct)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	t.Log(line)
	st, err := os.Stat(filepath.Join(state, "mailtriage", "tokens", "m365-graph.json"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("token cache: %v %v", st, err)
	}
}
