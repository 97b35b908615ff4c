package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/mailtest"
	"github.com/mailtriage/mailtriage/ui/session"
	"github.com/mailtriage/mailtriage/ui/uitest"
)

// fiveInInbox is an account whose INBOX holds Message 0 … Message 4 (UIDs
// 1–5, newest first on screen) and which has a Trash folder.
func fiveInInbox(t *testing.T) (*mailtest.Mailbox, session.Account) {
	t.Helper()
	mb := mailtest.New()
	mb.AddFolder("Trash", mail.RoleTrash)
	mb.Generate("INBOX", 5, testNow)
	return mb, session.Account{Name: "soc", Server: "imap://test", Mailbox: mb, DefaultFolder: "INBOX", MessageLimit: 1 << 20}
}

// selectThreeOpenFourth selects the three newest rows and opens the
// fourth (Message 1, UID 2): the reproduction of "act on what I see".
func selectThreeOpenFourth(t *testing.T, tm *teatest.TestModel) {
	t.Helper()
	uitest.WaitModel(t, tm, "INBOX listed", settled(5))
	keys(tm, "space", "space", "space", "enter")
	uitest.WaitModel(t, tm, "message 1 open", func(m tea.Model) bool {
		return root(m).screen == screenMessage && strings.Contains(root(m).Render(), "Message 1")
	})
}

// commandAsks types :line and waits for the question it asks.
func commandAsks(t *testing.T, tm *teatest.TestModel, line string) {
	t.Helper()
	keys(tm, ":")
	tm.Type(line)
	keys(tm, "enter")
	uitest.WaitModel(t, tm, "question asked", func(m tea.Model) bool { return root(m).dialog != nil })
}

func inFolder(mb *mailtest.Mailbox, folder string, uid mail.UID) bool {
	_, ok := mb.Message(folder, uid)
	return ok
}

// :delete on the message screen moves the open message, and only it, to
// Trash; the question says so and names the selection it leaves alone.
func TestDeleteFromMessageScreenActsOnTheOpenMessage(t *testing.T) {
	mb, acct := fiveInInbox(t)
	tm := start(t, 140, 30, acct)
	selectThreeOpenFourth(t, tm)
	commandAsks(t, tm, "delete")
	uitest.WaitModel(t, tm, "question names the open message and the selection", func(m tea.Model) bool {
		v := uitest.Plain(root(m).Render())
		return strings.Contains(v, `Move 1 message "Message 1" in INBOX to Trash?`) && strings.Contains(v, "the 3 messages in INBOX selected instead")
	})
	keys(tm, "y")
	uitest.WaitModel(t, tm, "moved", func(tea.Model) bool { return mb.Count("Trash") == 1 })
	for _, uid := range []mail.UID{3, 4, 5} {
		if !inFolder(mb, "INBOX", uid) {
			t.Errorf("selected message UID %d left INBOX", uid)
		}
	}
	if inFolder(mb, "INBOX", 2) {
		t.Error("the open message is still in INBOX")
	}
	out := screenOf(t, tm)
	if !strings.Contains(out, "soc │ INBOX │ 4 messages") {
		t.Fatalf("after the move the list should show INBOX with 4:\n%s", out)
	}
}

// The selection is an explicit other answer: s acts on the three
// selected and leaves the open message where it is.
func TestDeleteFromMessageScreenOffersTheSelectionExplicitly(t *testing.T) {
	mb, acct := fiveInInbox(t)
	tm := start(t, 140, 30, acct)
	selectThreeOpenFourth(t, tm)
	commandAsks(t, tm, "delete")
	keys(tm, "s")
	uitest.WaitModel(t, tm, "moved", func(tea.Model) bool { return mb.Count("Trash") == 3 })
	if !inFolder(mb, "INBOX", 2) || !inFolder(mb, "INBOX", 1) {
		t.Error("s moved a message that was not selected")
	}
	_ = screenOf(t, tm)
}

// With a selection in the list, even an undoable action on the open
// message asks which is meant, and y touches only the open message.
func TestFlagFromMessageScreenTouchesOnlyTheOpenMessage(t *testing.T) {
	mb, acct := fiveInInbox(t)
	tm := start(t, 140, 30, acct)
	selectThreeOpenFourth(t, tm)
	commandAsks(t, tm, "flag")
	keys(tm, "y")
	uitest.WaitModel(t, tm, "flagged", func(tea.Model) bool { e, _ := mb.Message("INBOX", 2); return e.Flags.Flagged })
	for _, uid := range []mail.UID{1, 3, 4, 5} {
		if e, _ := mb.Message("INBOX", uid); e.Flags.Flagged {
			t.Errorf("UID %d was flagged too", uid)
		}
	}
	_ = screenOf(t, tm)
}

// The list's action keys work on the message screen, on the open message:
// d trashes it at once (undoable, and said), D asks first, naming it.
func TestListKeysOnTheMessageScreenActOnTheOpenMessage(t *testing.T) {
	mb, acct := fiveInInbox(t)
	tm := start(t, 140, 30, acct)
	uitest.WaitModel(t, tm, "INBOX listed", settled(5))
	keys(tm, "enter")
	uitest.WaitModel(t, tm, "message 4 open", func(m tea.Model) bool {
		return root(m).screen == screenMessage && strings.Contains(root(m).Render(), "Message 4")
	})
	keys(tm, "d")
	uitest.WaitModel(t, tm, "trashed", func(tea.Model) bool { return mb.Count("Trash") == 1 && !inFolder(mb, "INBOX", 5) })
	uitest.WaitModel(t, tm, "back on the list, which says what was done", func(m tea.Model) bool {
		return root(m).screen == screenMailbox && strings.Contains(root(m).flash, "Trash")
	})
	keys(tm, "enter")
	uitest.WaitModel(t, tm, "message 3 open", func(m tea.Model) bool {
		return root(m).screen == screenMessage && strings.Contains(root(m).Render(), "Message 3")
	})
	keys(tm, "D")
	uitest.WaitModel(t, tm, "asked", func(m tea.Model) bool {
		return strings.Contains(uitest.Plain(root(m).Render()), `Delete 1 message "Message 3" in INBOX permanently?`)
	})
	keys(tm, "y")
	uitest.WaitModel(t, tm, "deleted", func(tea.Model) bool { return !inFolder(mb, "INBOX", 4) && mb.Count("Trash") == 1 })
	_ = screenOf(t, tm)
}

// While the root asks which messages are meant, the help bar offers the
// answers, not the message screen's keys.
func TestHelpBarOffersTheRootQuestionsAnswers(t *testing.T) {
	_, acct := fiveInInbox(t)
	tm := start(t, 140, 30, acct)
	selectThreeOpenFourth(t, tm)
	commandAsks(t, tm, "delete")
	uitest.WaitModel(t, tm, "the answers in the help bar", func(m tea.Model) bool {
		bar := uitest.Plain(root(m).bottomLine())
		return strings.Contains(bar, "y yes") && strings.Contains(bar, "the 3 messages in INBOX selected instead") && !strings.Contains(bar, "esc/q back")
	})
	keys(tm, "n")
	_ = screenOf(t, tm)
}
