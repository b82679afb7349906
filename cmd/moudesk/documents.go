package main

import "context"

// documentCommands are the file tools (render, redline, sign, verify);
// each registers itself here as its package lands.
func (e *env) documentCommands() map[string]func(context.Context, []string) error {
	return map[string]func(context.Context, []string) error{}
}
