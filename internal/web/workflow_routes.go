package web

// workflowRoutes registers transitions, meetings, feedback and outcomes.
func (s *Server) workflowRoutes() {}
