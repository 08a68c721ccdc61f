"""The request path every API shares: context, scenario faults, the handler call, and rendering as a dialect says."""
