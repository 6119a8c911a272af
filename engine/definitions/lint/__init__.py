"""definitions/lint"""
