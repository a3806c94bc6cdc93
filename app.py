from hrsn import create_app

app = create_app()
