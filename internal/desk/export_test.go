package desk

// Unexported checks the external tests call directly.
var (
	CheckContentHTML  = checkContentHTML
	CheckClauseHTML   = checkClauseHTML
	CheckTemplateHTML = checkTemplateHTML
)
