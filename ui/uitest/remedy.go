package uitest

import (
	"path/filepath"
	"testing"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/audit"
	"github.com/mailtriage/mailtriage/backend/remediate"
)

// Remedy returns a remediation service writing to an audit log in the
// test's temp dir.
func Remedy(tb testing.TB) *remediate.Service {
	tb.Helper()
	log, err := audit.Open(filepath.Join(tb.TempDir(), "audit.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { log.Close() })
	return &remediate.Service{Audit: log, Operator: "tester", Via: "console"}
}

// Actions returns an action layer over Remedy(tb).
func Actions(tb testing.TB) *action.Layer {
	tb.Helper()
	return &action.Layer{Remedy: Remedy(tb)}
}
