package main

import (
	"github.com/mailtriage/mailtriage/ui/common"
	uifortimail "github.com/mailtriage/mailtriage/ui/fortimail"
)

// The FortiMail screen (key 3) plugs into the console here.
func init() {
	fortimailScreen = func(c *common.Common) common.Screen { return uifortimail.New(c) }
}
