print("veredicto")
