package message

import (
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/demo"
)

// FuzzMessageScreen feeds arbitrary bytes through the whole reading path
// (parse, sanitize, HTML to text, layout) and checks that nothing unsafe
// reaches the screen, in every mode.
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
		m.doc = buildDocument(&mail.RawMessage{Raw: raw, Size: int64(len(raw))})
		for _, mode := range []struct{ raw, html bool }{{false, false}, {true, false}, {false, true}} {
			m.showRaw, m.showHTML = mode.raw, mode.html
			assertSafe(t, "fuzz", strings.Join(m.renderLines(), "\n"))
		}
	})
}
