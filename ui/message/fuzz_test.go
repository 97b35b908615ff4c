package message

import (
	"testing"

	"github.com/mailtriage/mailtriage/backend/evidence"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/demo"
)

// FuzzMessageScreen feeds arbitrary bytes through the whole reading path
// (parse, analyse, sanitize, HTML to text, layout) and checks that nothing
// unsafe reaches the screen, on any tab.
func FuzzMessageScreen(f *testing.F) {
	msgs, err := demo.Messages()
	if err != nil {
		f.Fatal(err)
	}
	for _, m := range msgs {
		f.Add(m.Raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m := newModel(60, 20)
		m.stack = []*page{newPage(buildDocument(&mail.RawMessage{Raw: raw, Size: int64(len(raw))}, evidence.Limits{}))}
		assertEveryTabSafe(t, m, "fuzz")
	})
}
