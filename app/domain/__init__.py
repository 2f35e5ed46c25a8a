"""The domain core: rules of the field report process, free of Flask and of the database.

Everything else (web views, REST API, CLI, console, tests) calls these modules; none of them
re-states a transition, a permission or a calendar rule.
"""
