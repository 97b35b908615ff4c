package main

import (
	"github.com/mailtriage/mailtriage/ui/common"
	uimimecast "github.com/mailtriage/mailtriage/ui/mimecast"
)

// The Mimecast screen (key 2) is built here so it plugs in without
// touching the wiring of the other screens.
func init() {
	mimecastScreen = func(c *common.Common) common.Screen { return uimimecast.New(c) }
}
