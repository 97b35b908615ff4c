package evidence

import (
	"reflect"
	"testing"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/demo"
)

// AnalyzeParsed on a parse the caller already has gives exactly what
// AnalyzeMessage gives, within the default limits and within limits that
// would parse differently (where it must parse again).
func TestAnalyzeParsedMatchesAnalyzeMessage(t *testing.T) {
	msgs, err := demo.Messages()
	if err != nil {
		t.Fatal(err)
	}
	raws := [][]byte{phish()}
	for _, m := range msgs {
		raws = append(raws, m.Raw)
	}
	for name, lim := range map[string]Limits{
		"default":      {},
		"max bytes 2k": {MaxBytes: 2000},
		"depth 2":      {MaxDepth: 2},
	} {
		for i, raw := range raws {
			wantEv, wantP := AnalyzeMessage(raw, lim)
			gotEv, gotP := AnalyzeParsed(raw, mail.ParseMessage(raw), lim)
			if !reflect.DeepEqual(gotEv, wantEv) {
				t.Errorf("%s, message %d: the evidence differs from AnalyzeMessage's", name, i)
			}
			if !reflect.DeepEqual(gotP, wantP) {
				t.Errorf("%s, message %d: the parse returned differs from AnalyzeMessage's", name, i)
			}
		}
	}
}

// The caller's parse is used only where the analysis would parse alike.
func TestParsesAsDefault(t *testing.T) {
	for _, c := range []struct {
		name string
		lim  Limits
		n    int
		want bool
	}{
		{"default limits", Limits{}, 10 << 20, true},
		{"a byte cap the message does not reach", Limits{MaxBytes: 1 << 20}, 4000, true},
		{"a byte cap the message reaches", Limits{MaxBytes: 1 << 20}, 2 << 20, false},
		{"a byte cap above the default, past both", Limits{MaxBytes: 30 << 20}, 26 << 20, false},
		{"another depth", Limits{MaxDepth: 3}, 100, false},
		{"another part count", Limits{MaxParts: 50}, 100, false},
		{"another timeout", Limits{ParseTimeout: 1}, 100, false},
	} {
		if got := c.lim.withDefaults().parsesAsDefault(c.n); got != c.want {
			t.Errorf("%s: parsesAsDefault(%d) = %v, want %v", c.name, c.n, got, c.want)
		}
	}
}
