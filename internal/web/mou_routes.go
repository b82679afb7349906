package web

// mouRoutes registers the MOU, revision and redline API.
func (s *Server) mouRoutes() {}
