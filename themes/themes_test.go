package themes

import (
	"strings"
	"testing"
)

func TestEveryBuiltinThemeBuildsStyles(t *testing.T) {
	for _, name := range Names() {
		th, err := Builtin(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		st := NewStyles(th)
		if got := st.Marker.Render("⟨ESC⟩"); !strings.Contains(got, "⟨ESC⟩") || got == "⟨ESC⟩" {
			t.Errorf("%s: markers are not styled apart from text: %q", name, got)
		}
		if got := st.Selected.Render("row"); got == "row" {
			t.Errorf("%s: the selected row looks like any other", name)
		}
	}
}

func TestMonoThemeUsesNoColour(t *testing.T) {
	th, _ := Builtin("none")
	st := NewStyles(th)
	for _, s := range []string{st.Text.Render("x"), st.Danger.Render("x"), st.Marker.Render("x"), st.Selected.Render("x")} {
		if strings.Contains(s, "38;") || strings.Contains(s, "48;") {
			t.Fatalf("colour sequence in mono theme: %q", s)
		}
	}
}

func TestOverrideFallsBackAndNamesErrors(t *testing.T) {
	th, _ := Builtin("dark")
	over, err := th.Override(map[string]string{"accent": "#ff8800"})
	if err != nil {
		t.Fatal(err)
	}
	if over.Accent == th.Accent || over.Danger != th.Danger {
		t.Fatal("override changed the wrong colours")
	}
	if _, err := th.Override(map[string]string{"acent": "#fff"}); err == nil || !strings.Contains(err.Error(), "colors.acent: unknown colour role") {
		t.Fatalf("unknown role: %v", err)
	}
	if _, err := th.Override(map[string]string{"danger": "reddish"}); err == nil || !strings.Contains(err.Error(), `colors.danger: "reddish" is not a colour`) {
		t.Fatalf("bad colour: %v", err)
	}
	if _, err := Builtin("solarized"); err == nil {
		t.Fatal("unknown theme accepted")
	}
}
