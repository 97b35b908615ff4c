package graph_test

import (
	"context"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail/graph"
	"github.com/mailtriage/mailtriage/backend/mail/graph/graphtest"
	"github.com/mailtriage/mailtriage/backend/mail/mailboxtest"
)

func TestContract(t *testing.T) {
	mailboxtest.Run(t, func(t *testing.T) mailboxtest.Fixture {
		srv := graphtest.New()
		t.Cleanup(srv.Close)
		token := srv.MintToken()
		m := graph.New(graph.Config{BaseURL: srv.BaseURL(), HTTPClient: srv.Client(),
			Token: func(context.Context) (string, error) { return token, nil }})
		n := 0
		return mailboxtest.Fixture{Box: m, Inbox: "Inbox", Other: "Junk Email", Seed: func(folder string, raw []byte) {
			n++
			srv.Deliver(folder, raw, base.Add(time.Duration(n)*time.Minute))
		}}
	})
}
